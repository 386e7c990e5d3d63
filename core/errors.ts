/**
 * One error type for the whole codebase, with a stable code (connect-es style). The gateway maps
 * codes to gRPC status in one table (gateway/status.ts); everything else only throws.
 */
export const ErrorCode = {
  InvalidArgument: "INVALID_ARGUMENT",
  NotFound: "NOT_FOUND",
  AlreadyExists: "ALREADY_EXISTS",
  FailedPrecondition: "FAILED_PRECONDITION",
  PermissionDenied: "PERMISSION_DENIED",
  Unauthenticated: "UNAUTHENTICATED",
  ResourceExhausted: "RESOURCE_EXHAUSTED",
  DeadlineExceeded: "DEADLINE_EXCEEDED",
  Unavailable: "UNAVAILABLE",
  Unimplemented: "UNIMPLEMENTED",
  Aborted: "ABORTED",
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One bad field of a request or configuration, named the way the caller spelled it. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export interface SwitchboardErrorOptions {
  readonly cause?: unknown;
  readonly violations?: readonly FieldViolation[];
}

export class SwitchboardError extends Error {
  override readonly name = "SwitchboardError";
  readonly code: ErrorCode;
  readonly violations: readonly FieldViolation[];

  constructor(code: ErrorCode, message: string, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.violations = options.violations ?? [];
  }

  /** Wraps anything thrown into a SwitchboardError, keeping the original as `cause`. */
  static from(reason: unknown, fallback: ErrorCode = ErrorCode.Internal): SwitchboardError {
    if (reason instanceof SwitchboardError) return reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return new SwitchboardError(fallback, message, { cause: reason });
  }
}

/** Builds an INVALID_ARGUMENT error listing every violation, so a caller can fix all at once. */
export function invalidArgument(violations: readonly FieldViolation[]): SwitchboardError {
  const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new SwitchboardError(ErrorCode.InvalidArgument, `invalid argument: ${summary}`, {
    violations,
  });
}
