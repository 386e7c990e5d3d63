import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import {
  ErrorCode,
  type FieldViolation,
  type Logger,
  type Store,
  SwitchboardError,
  TOKEN_ROLES,
  type TokenGrant,
  type TokenRole,
} from "../../core/index.js";
import { sha256Hex } from "./authenticator.js";

/** One token of a tokens file, before hashing. */
export interface TokenEntry {
  readonly token: string;
  readonly grant: TokenGrant;
}

const MIN_TOKEN_LENGTH = 16;

/**
 * Parses a tokens file:
 *
 *     tenants:
 *       acme:
 *         - { token: "…", role: admin }
 *         - { token: "…", role: agent, agentId: anna }
 *
 * Every problem is reported at once, by path (never echoing a token), so an operator fixes the
 * file in one go.
 */
export function parseTokensFile(text: string, source: string): TokenEntry[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new SwitchboardError(ErrorCode.InvalidArgument, `${source}: not valid YAML`, { cause });
  }
  const violations: FieldViolation[] = [];
  const entries: TokenEntry[] = [];
  const tenants = (doc as { tenants?: unknown } | null)?.tenants;
  if (typeof tenants !== "object" || tenants === null || Array.isArray(tenants)) {
    violations.push({ field: "tenants", description: "must map tenant ids to lists of tokens" });
  } else {
    const seen = new Set<string>();
    for (const [tenant, list] of Object.entries(tenants)) {
      if (!Array.isArray(list)) {
        violations.push({ field: `tenants.${tenant}`, description: "must be a list of tokens" });
        continue;
      }
      list.forEach((raw: unknown, i) => {
        const at = `tenants.${tenant}[${i}]`;
        const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<
          string,
          unknown
        >;
        const { token, role, agentId } = item;
        if (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH) {
          violations.push({
            field: `${at}.token`,
            description: `must be a string of at least ${MIN_TOKEN_LENGTH} characters`,
          });
        } else if (seen.has(token)) {
          violations.push({ field: `${at}.token`, description: "listed twice" });
        } else seen.add(token);
        if (!TOKEN_ROLES.includes(role as TokenRole)) {
          violations.push({ field: `${at}.role`, description: `one of ${TOKEN_ROLES.join(", ")}` });
        }
        if (role === "agent" && (typeof agentId !== "string" || agentId === "")) {
          violations.push({ field: `${at}.agentId`, description: "required for role agent" });
        } else if (role !== "agent" && agentId !== undefined) {
          violations.push({ field: `${at}.agentId`, description: "only agent tokens name one" });
        }
        if (typeof token === "string" && TOKEN_ROLES.includes(role as TokenRole)) {
          const grant: TokenGrant =
            typeof agentId === "string"
              ? { tenant, role: role as TokenRole, agentId }
              : { tenant, role: role as TokenRole };
          entries.push({ token, grant });
        }
      });
    }
  }
  if (violations.length > 0) {
    const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
    throw new SwitchboardError(ErrorCode.InvalidArgument, `${source}: ${summary}`, { violations });
  }
  return entries;
}

/** Reads the file and stores each token's hash with its grant (idempotent: re-seeding is safe). */
export async function seedTokensFile(path: string, store: Store, logger: Logger): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new SwitchboardError(ErrorCode.InvalidArgument, `cannot read tokens file ${path}`, {
      cause,
    });
  }
  const entries = parseTokensFile(text, path);
  for (const { token, grant } of entries) {
    // The store validates the tenant and agentId formats; name the file in its error.
    await store.tokens.put(sha256Hex(token), grant).catch((error: unknown) => {
      throw new SwitchboardError(
        ErrorCode.InvalidArgument,
        `${path}: ${SwitchboardError.from(error).message}`,
        { cause: error },
      );
    });
  }
  logger.child({ component: "auth" }).info({ path, tokens: entries.length }, "tokens seeded");
  return entries.length;
}
