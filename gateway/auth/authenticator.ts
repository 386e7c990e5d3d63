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
}

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

  const fromToken = async (token: string): Promise<Principal> => {
    if (await isOpen()) return openPrincipal;
    if (token === "") throw unauthenticated("missing token: send authorization: Bearer <token>");
    const grant = await options.store.tokens.get(sha256Hex(token));
    if (grant === undefined) throw unauthenticated("unknown or revoked token");
    return grant.agentId === undefined
      ? { tenant: grant.tenant, role: grant.role, open: false }
      : { tenant: grant.tenant, role: grant.role, agentId: grant.agentId, open: false };
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
