import { createHash } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import {
  type Clock,
  ErrorCode,
  type Logger,
  type Store,
  SwitchboardError,
  systemClock,
  type TokenRole,
} from "../../core/index.js";

/** Who is calling: the tenant every read and write is confined to, and what they may do. */
export interface Principal {
  readonly tenant: string;
  readonly role: TokenRole;
  /** Set for agent tokens: the one agent they act for. */
  readonly agentId?: string;
  /** True in open mode (no tokens exist): anyone is admin of tenant "default". */
  readonly open: boolean;
}

export interface AuthenticatorOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * How long "are there any tokens?" is remembered. Tokens are seeded at start, but another
   * gateway sharing the Redis may seed them later, so open mode is re-checked. Default 5000.
   */
  readonly openModeCheckMs?: number;
  /**
   * How long a token's grant is remembered after a store lookup (unknown tokens are not): a
   * revoked token stops working at most this long later. 0 turns the cache off. Default 5000.
   */
  readonly grantCacheMs?: number;
}

/** Tokens remembered at once; beyond it the cache starts over (a flood of tokens costs lookups, not memory). */
const GRANT_CACHE_ENTRIES = 10_000;

export interface Authenticator {
  /**
   * The principal for a call's metadata; `undefined` only when `optional` and no
   * `authorization` header was sent (the caller will authenticate another way).
   */
  fromMetadata(metadata: Metadata, optional?: boolean): Promise<Principal | undefined>;
  /** The principal for a bare token (e.g. AgentHello.token). */
  fromToken(token: string): Promise<Principal>;
}

/** The open-mode tenant, used when no token exists at all (embedded first run). */
export const OPEN_TENANT = "default";

export function sha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const unauthenticated = (message: string) =>
  new SwitchboardError(ErrorCode.Unauthenticated, message);

/**
 * Bearer tokens → grants through `store.tokens`, which holds only SHA-256 hashes. With no
 * token stored at all the gateway runs open (one warning), so `switchboard` with no
 * configuration can be tried out; the moment a token exists every call must present one.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const clock = options.clock ?? systemClock;
  const checkEveryMs = options.openModeCheckMs ?? 5000;
  const logger = options.logger.child({ component: "auth" });
  let openUntilMs = Number.NEGATIVE_INFINITY;
  let open = false;
  let warned = false;

  const isOpen = async (): Promise<boolean> => {
    const nowMs = clock.nowMs();
    if (nowMs < openUntilMs) return open;
    open = (await options.store.tokens.count()) === 0;
    openUntilMs = nowMs + checkEveryMs;
    if (open && !warned) {
      warned = true;
      logger.warn(
        { tenant: OPEN_TENANT },
        "no API tokens configured: the gateway is OPEN (every caller is admin of tenant default); set --tokens-file",
      );
    }
    return open;
  };

  const openPrincipal: Principal = { tenant: OPEN_TENANT, role: "admin", open: true };
  const cacheMs = options.grantCacheMs ?? 5000;
  // Keyed by the token's hash, so the cache holds no secret the store does not hold.
  const granted = new Map<string, { principal: Principal; untilMs: number }>();

  const fromToken = async (token: string): Promise<Principal> => {
    if (await isOpen()) return openPrincipal;
    if (token === "") throw unauthenticated("missing token: send authorization: Bearer <token>");
    const hash = sha256Hex(token);
    const nowMs = clock.nowMs();
    const cached = granted.get(hash);
    if (cached !== undefined && cached.untilMs > nowMs) return cached.principal;
    const grant = await options.store.tokens.get(hash);
    if (grant === undefined) {
      granted.delete(hash);
      throw unauthenticated("unknown or revoked token");
    }
    const principal: Principal =
      grant.agentId === undefined
        ? { tenant: grant.tenant, role: grant.role, open: false }
        : { tenant: grant.tenant, role: grant.role, agentId: grant.agentId, open: false };
    if (cacheMs > 0) {
      if (granted.size >= GRANT_CACHE_ENTRIES) granted.clear();
      granted.set(hash, { principal, untilMs: nowMs + cacheMs });
    }
    return principal;
  };

  return {
    async fromMetadata(metadata, optional = false) {
      const [header] = metadata.get("authorization");
      if (header === undefined) {
        if (optional && !(await isOpen())) return undefined;
        return fromToken("");
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(String(header));
      if (match?.[1] === undefined) {
        throw unauthenticated("malformed authorization header: expected Bearer <token>");
      }
      return fromToken(match[1]);
    },
    fromToken,
  };
}
