import { createHash, randomBytes } from "node:crypto";
import type { Store } from "../../core/index.js";

/**
 * A customer's chat session, found by its token. The token itself is never stored: the key is
 * its SHA-256, so reading the store does not let anyone open someone else's chat. Shared by
 * every gateway replica through the store's channel state ("chat-session"), so a customer can
 * reconnect to any of them.
 */
export interface ChatSession {
  readonly contactId: string;
  readonly tenant: string;
  /** The customer identifier `web_session_id`. */
  readonly sessionId: string;
  readonly name: string;
  /** Lower-cased. */
  readonly email: string;
  readonly topic: string;
  readonly expiresAtMs: number;
  /** The CSAT answer once given (no second prompt on reconnect). */
  readonly csat?: number;
}

export interface ChatSessions {
  /** Stores the session under a fresh token (32 random bytes, base64url) and returns it. */
  create(session: ChatSession): Promise<string>;
  /** The session of a token, or undefined for a missing, malformed, forged or expired one. */
  find(token: string): Promise<{ session: ChatSession; key: string } | undefined>;
  /** Replaces a session's record (same key, the remaining time to live). */
  update(key: string, session: ChatSession): Promise<void>;
}

const NAMESPACE = "chat-session";
/** 32 bytes in base64url without padding. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function createChatSessions(options: {
  readonly store: Store;
  readonly tenant: string;
  readonly ttlMs: number;
  readonly nowMs: () => number;
}): ChatSessions {
  const state = options.store.forTenant(options.tenant).channelState;
  const keyOf = (token: string) => createHash("sha256").update(token).digest("hex");
  return {
    async create(session) {
      const token = randomBytes(32).toString("base64url");
      await state.put(NAMESPACE, keyOf(token), JSON.stringify(session), options.ttlMs);
      return token;
    },
    async find(token) {
      if (!TOKEN.test(token)) return undefined;
      const key = keyOf(token);
      const raw = await state.get(NAMESPACE, key);
      if (raw === undefined) return undefined;
      const session = JSON.parse(raw) as ChatSession;
      if (session.expiresAtMs <= options.nowMs()) return undefined;
      return { session, key };
    },
    async update(key, session) {
      const ttlMs = session.expiresAtMs - options.nowMs();
      if (ttlMs > 0) await state.put(NAMESPACE, key, JSON.stringify(session), ttlMs);
    },
  };
}
