/** What an API token may do; see gateway/auth for the calls each role reaches. */
export type TokenRole = "admin" | "platform" | "agent";
export const TOKEN_ROLES: readonly TokenRole[] = ["admin", "platform", "agent"];

/** What a token grants: one tenant, one role, and for agent tokens the one agent. */
export interface TokenGrant {
  readonly tenant: string;
  readonly role: TokenRole;
  /** Required for role "agent", absent otherwise. */
  readonly agentId?: string;
}

/**
 * API tokens, global rather than per tenant because a token names its tenant. Only the
 * SHA-256 of a token (lower-case hex) is ever stored, so a leaked store leaks no credentials.
 */
export interface TokenStore {
  put(tokenSha256Hex: string, grant: TokenGrant): Promise<void>;
  get(tokenSha256Hex: string): Promise<TokenGrant | undefined>;
  /** Resolves to false when there was nothing to delete. */
  delete(tokenSha256Hex: string): Promise<boolean>;
  /** How many tokens exist; 0 lets the gateway run open (embedded first run). */
  count(): Promise<number>;
}
