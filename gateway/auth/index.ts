// Auth of the gRPC edge: bearer tokens → principals, role checks, the tokens file.
export {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
  OPEN_TENANT,
  type Principal,
  sha256Hex,
} from "./authenticator.js";
export {
  checkAgent,
  checkRole,
  principalOf,
  requirePrincipal,
  type WithAuthOptions,
  withAuth,
} from "./authorize.js";
export { parseTokensFile, seedTokensFile, type TokenEntry } from "./tokens-file.js";
