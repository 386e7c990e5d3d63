import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { ErrorCode, type FieldViolation, SwitchboardError } from "../core/index.js";
import { BadRequestSchema, ErrorInfoSchema, StatusSchema } from "../proto/index.js";

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

/** The standard trailer of gRPC's richer error model (google.rpc.Status, binary). */
const DETAILS_KEY = "grpc-status-details-bin";

/**
 * Turns anything thrown by a handler into a gRPC error. Besides code and message, the
 * `grpc-status-details-bin` trailer carries a google.rpc.Status with an ErrorInfo (our stable
 * code) and, for invalid input, a BadRequest listing every field violation — the model that
 * gRPC clients in every language can decode. Internal errors never leak their message.
 */
export function toServiceError(reason: unknown): Partial<ServiceError> {
  const err = SwitchboardError.from(reason);
  const details =
    err.code === ErrorCode.Internal && !(reason instanceof SwitchboardError)
      ? "internal error"
      : err.message;
  const code = GRPC_STATUS[err.code];
  const rich = create(StatusSchema, {
    code,
    message: details,
    details: [
      anyPack(
        ErrorInfoSchema,
        create(ErrorInfoSchema, { reason: err.code, domain: "switchboard" }),
      ),
      ...(err.violations.length === 0
        ? []
        : [
            anyPack(
              BadRequestSchema,
              create(BadRequestSchema, { fieldViolations: [...err.violations] }),
            ),
          ]),
    ],
  });
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(toBinary(StatusSchema, rich)));
  return { code, details, metadata };
}

/**
 * The field violations a Switchboard gateway attached to an error (empty when none): what a
 * Node client calls to learn which fields to fix.
 */
export function fieldViolationsOf(error: Pick<ServiceError, "metadata">): FieldViolation[] {
  const [bytes] = error.metadata?.get(DETAILS_KEY) ?? [];
  if (!(bytes instanceof Buffer)) return [];
  const rich = fromBinary(StatusSchema, bytes);
  return rich.details.flatMap((any) => {
    const badRequest = anyUnpack(any, BadRequestSchema);
    return badRequest === undefined
      ? []
      : badRequest.fieldViolations.map((v) => ({ field: v.field, description: v.description }));
  });
}
