import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { ErrorCode, SwitchboardError } from "../core/index.js";

/** The one table mapping our error codes to gRPC status codes. */
export const GRPC_STATUS: Readonly<Record<ErrorCode, status>> = {
  [ErrorCode.InvalidArgument]: status.INVALID_ARGUMENT,
  [ErrorCode.NotFound]: status.NOT_FOUND,
  [ErrorCode.AlreadyExists]: status.ALREADY_EXISTS,
  [ErrorCode.FailedPrecondition]: status.FAILED_PRECONDITION,
  [ErrorCode.PermissionDenied]: status.PERMISSION_DENIED,
  [ErrorCode.Unauthenticated]: status.UNAUTHENTICATED,
  [ErrorCode.ResourceExhausted]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.DeadlineExceeded]: status.DEADLINE_EXCEEDED,
  [ErrorCode.Unavailable]: status.UNAVAILABLE,
  [ErrorCode.Unimplemented]: status.UNIMPLEMENTED,
  [ErrorCode.Aborted]: status.ABORTED,
  [ErrorCode.Internal]: status.INTERNAL,
};

/**
 * Turns anything thrown by a handler into a gRPC error. Field violations travel as
 * `x-field-violations` metadata (JSON) besides the message, so clients in any language can
 * read which field was wrong. Internal errors never leak their message to the caller.
 */
export function toServiceError(reason: unknown): Partial<ServiceError> {
  const err = SwitchboardError.from(reason);
  const metadata = new Metadata();
  if (err.violations.length > 0) metadata.set("x-field-violations", JSON.stringify(err.violations));
  const details =
    err.code === ErrorCode.Internal && !(reason instanceof SwitchboardError)
      ? "internal error"
      : err.message;
  return { code: GRPC_STATUS[err.code], details, metadata };
}
