import type { TokenGrant, TokenStore } from "../token-store.js";
import { checkGrant, checkTokenHash, storedGrant } from "../validate.js";

/** The in-memory twin of redis/redis-tokens.ts. */
export function createMemoryTokens(guard: () => void): TokenStore {
  const grants = new Map<string, TokenGrant>();
  return {
    async put(hash, grant) {
      checkTokenHash(hash);
      checkGrant(grant);
      guard();
      grants.set(hash, storedGrant(grant));
    },
    async get(hash) {
      checkTokenHash(hash);
      guard();
      const grant = grants.get(hash);
      return grant && { ...grant };
    },
    async delete(hash) {
      checkTokenHash(hash);
      guard();
      return grants.delete(hash);
    },
    async count() {
      guard();
      return grants.size;
    },
  };
}
