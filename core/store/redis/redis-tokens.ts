import { TOKEN_ROLES, type TokenGrant, type TokenStore } from "../token-store.js";
import { checkGrant, checkTokenHash, storedGrant } from "../validate.js";
import type { RedisRunner } from "./redis-runner.js";

/** One hash of token SHA-256 → JSON grant, outside every tenant's key space. */
export function createRedisTokens(runner: RedisRunner, key: string): TokenStore {
  return {
    async put(hash, grant) {
      checkTokenHash(hash);
      checkGrant(grant);
      const json = JSON.stringify(storedGrant(grant));
      await runner.run("token put", () => runner.client.hset(key, hash, json));
    },
    async get(hash) {
      checkTokenHash(hash);
      const json = await runner.run("token get", () => runner.client.hget(key, hash));
      return json === null ? undefined : parseGrant(json);
    },
    async delete(hash) {
      checkTokenHash(hash);
      return (await runner.run("token delete", () => runner.client.hdel(key, hash))) === 1;
    },
    async count() {
      return runner.run("token count", () => runner.client.hlen(key));
    },
  };
}

/**
 * Read defensively: the hash may have been edited by hand. A malformed entry grants nothing
 * rather than failing every call that presents it.
 */
function parseGrant(json: string): TokenGrant | undefined {
  try {
    const value = JSON.parse(json) as Partial<TokenGrant>;
    if (typeof value.tenant !== "string" || !TOKEN_ROLES.includes(value.role as never)) {
      return undefined;
    }
    const grant = storedGrant(value as TokenGrant);
    checkGrant(grant);
    return grant;
  } catch {
    return undefined;
  }
}
