/**
 * The engine's one error type. Same shape as the core error (`code` + `cause`) so the router
 * service can map it to a gRPC status without knowing the engine's internals.
 */
export type RouterErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "FAILED_PRECONDITION";

export class RouterError extends Error {
  override readonly name = "RouterError";
  readonly code: RouterErrorCode;
  override readonly cause: unknown;

  constructor(code: RouterErrorCode, message: string, cause?: unknown) {
    super(`[${code}] ${message}`);
    this.code = code;
    this.cause = cause;
  }
}

export function invalid(message: string): RouterError {
  return new RouterError("INVALID_ARGUMENT", message);
}

export function notFound(message: string): RouterError {
  return new RouterError("NOT_FOUND", message);
}

export function precondition(message: string): RouterError {
  return new RouterError("FAILED_PRECONDITION", message);
}
