import type { Writable } from "node:stream";
import type { DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import {
  type handleClientStreamingCall,
  type handleUnaryCall,
  Metadata,
  type Server,
  type ServerDuplexStream,
  type ServerErrorResponse,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
  type sendUnaryData,
  status,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import {
  createServiceDefinition,
  DecodeFailure,
  type EncodedMessage,
} from "./service-definition.js";

type In<M extends Pick<DescMethod, "input">> = MessageShape<M["input"]>;
/**
 * Handlers may answer with a message or a plain init shape (both serialize the same), or with
 * bytes already encoded as the output message (EncodedMessage: sent as they are).
 */
type Out<M extends Pick<DescMethod, "output">> =
  | MessageInitShape<M["output"]>
  | EncodedMessage<M["output"]>;

/**
 * The implementation of one method, chosen by its kind. Every handler gets the grpc-js call
 * (metadata, peer, `request` for unary and server streaming, read/write for streams) and an
 * AbortSignal aborted when the client cancels, the deadline passes or the request is invalid
 * (a unary handler that declares no `signal` parameter gets one that never aborts, and its
 * calls cost no AbortSignal).
 * Handlers return promises: the adapter settles the call when they do — a resolved stream
 * handler ends the stream with OK, a rejection becomes a status through `toStatus`.
 */
export type MethodImpl<M extends Pick<DescMethod, "input" | "output" | "methodKind">> =
  M["methodKind"] extends "unary"
    ? (call: ServerUnaryCall<In<M>, Out<M>>, signal: AbortSignal) => Promise<Out<M>>
    : M["methodKind"] extends "server_streaming"
      ? (call: ServerWritableStream<In<M>, Out<M>>, signal: AbortSignal) => Promise<void>
      : M["methodKind"] extends "client_streaming"
        ? (call: ServerReadableStream<In<M>, Out<M>>, signal: AbortSignal) => Promise<Out<M>>
        : (call: ServerDuplexStream<In<M>, Out<M>>, signal: AbortSignal) => Promise<void>;

/** A server implementation type-checked against a generated service descriptor. */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S["method"]]: MethodImpl<S["method"][K]>;
};

/** Options of createServiceImplementation. */
export interface ServiceImplementationOptions {
  /**
   * Maps anything a handler throws to a gRPC status; the gateway passes its one error table
   * (`toServiceError`). Default: errors carrying a numeric gRPC `code` keep it, everything
   * else becomes INTERNAL "internal error" so that internals never leak to callers.
   */
  toStatus?: (error: unknown) => Partial<StatusObject>;
  /**
   * Deadline for unary and client-streaming calls whose client set none: the handler's signal
   * aborts and the call ends with DEADLINE_EXCEEDED, so no request holds server work forever.
   * Long-lived server and bidi streams are exempt. Default: none.
   */
  defaultDeadlineMs?: number;
}

function defaultToStatus(error: unknown): Partial<StatusObject> {
  if (typeof error === "object" && error !== null && "code" in error) {
    const { code } = error as { code: unknown };
    if (typeof code === "number" && Number.isInteger(code) && code > 0 && code <= 16) {
      const details = (error as { details?: unknown }).details;
      const message = error instanceof Error ? error.message : "";
      return { code, details: typeof details === "string" ? details : message };
    }
  }
  return { code: status.INTERNAL, details: "internal error" };
}

/** A ServiceError-shaped Error, the form grpc-js stream calls accept in `emit("error")`. */
function toError(partial: Partial<StatusObject>): ServerErrorResponse {
  const details = partial.details ?? "";
  return Object.assign(new Error(details), {
    code: partial.code ?? status.UNKNOWN,
    details,
    metadata: partial.metadata ?? new Metadata(),
  });
}

function invalidArgument(failure: DecodeFailure): ServerErrorResponse {
  return toError({ code: status.INVALID_ARGUMENT, details: failure.details });
}

/** The reason of every call's abort: shared, since building an Error per call costs. */
const CALL_CANCELLED = new Error("call cancelled");

/**
 * Abort signal of one call: the client went away or the deadline passed. grpc-js reports every
 * call's end as "cancelled" (once its HTTP/2 stream closes, answered or not), so a finished
 * call's signal aborts too; handlers stop listening when they return.
 */
function signalOf(call: {
  on(event: "cancelled", listener: () => void): unknown;
}): AbortController {
  const controller = new AbortController();
  call.on("cancelled", () => controller.abort(CALL_CANCELLED));
  return controller;
}

/**
 * What a unary or client-streaming handler that declares no `signal` parameter gets instead:
 * a signal that never aborts, so the call costs no AbortController and AbortSignal (a few
 * microseconds each, on every SubmitContact). Only the declared parameter count decides.
 */
export const UNUSED_SIGNAL: AbortSignal = new AbortController().signal;

/**
 * Prepares a request stream for the handler:
 * - Streamed requests reach it via `push`, so an undecodable one is caught there: the call
 *   fails with INVALID_ARGUMENT and the marker never reaches the handler's reads.
 * - `for await (const request of call)` must not destroy the call when the loop ends: Node's
 *   default iterator does, and grpc-js then never sends the final status (the client hangs).
 */
function prepareIncoming(
  call: ServerReadableStream<unknown, unknown>,
  controller: AbortController,
) {
  const push = call.push.bind(call);
  call.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (!(chunk instanceof DecodeFailure)) return push(chunk, encoding);
    const error = invalidArgument(chunk);
    controller.abort(error);
    call.emit("error", error);
    return false;
  };
  call[Symbol.asyncIterator] = () => call.iterator({ destroyOnReturn: false });
}

function wrap(
  method: DescMethod,
  // Checked by ServiceImpl at the call site; here every handler kind is handled uniformly.
  handler: (call: never, signal: AbortSignal) => Promise<unknown>,
  toStatus: (error: unknown) => Partial<StatusObject>,
  defaultDeadlineMs: number | undefined,
): UntypedHandleCall {
  const run = handler as (call: unknown, signal: AbortSignal) => Promise<unknown>;
  const settle = (call: Writable, promise: Promise<unknown>) =>
    promise.then(
      () => {
        if (!call.writableEnded) call.end();
      },
      (error: unknown) => {
        if (!call.writableEnded) call.emit("error", toError(toStatus(error)));
      },
    );
  // A handler without a signal parameter never looks at one: none is made for its calls.
  const wantsSignal = handler.length >= 2;
  const respond = (
    call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>,
    controller: AbortController | undefined,
    callback: sendUnaryData<unknown>,
  ) => {
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const answer: sendUnaryData<unknown> = (error, response) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      callback(error, response);
    };
    const clientDeadline = call.getDeadline();
    if (defaultDeadlineMs !== undefined && Number(clientDeadline) === Number.POSITIVE_INFINITY) {
      timer = setTimeout(() => {
        const error = toError({
          code: status.DEADLINE_EXCEEDED,
          details: `no answer within the server's default deadline of ${defaultDeadlineMs} ms`,
        });
        controller?.abort(error);
        answer(error);
      }, defaultDeadlineMs);
    }
    void Promise.resolve()
      .then(() => run(call, controller?.signal ?? UNUSED_SIGNAL))
      .then(
        (response) => answer(null, response),
        (error: unknown) => answer(toError(toStatus(error))),
      );
  };
  switch (method.methodKind) {
    case "unary":
      return ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        if (call.request instanceof DecodeFailure) {
          callback(invalidArgument(call.request));
          return;
        }
        respond(call, wantsSignal ? signalOf(call) : undefined, callback);
      }) satisfies handleUnaryCall<unknown, unknown>;
    case "client_streaming":
      return ((call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        // The request stream's decode failures abort through it: always made here.
        const controller = signalOf(call);
        prepareIncoming(call, controller);
        respond(call, controller, callback);
      }) satisfies handleClientStreamingCall<unknown, unknown>;
    case "server_streaming":
      return (call: ServerWritableStream<unknown, unknown>) => {
        const controller = signalOf(call);
        if (call.request instanceof DecodeFailure) {
          call.emit("error", invalidArgument(call.request));
          return;
        }
        void settle(
          call,
          Promise.resolve().then(() => run(call, controller.signal)),
        );
      };
    case "bidi_streaming":
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const controller = signalOf(call);
        prepareIncoming(call, controller);
        void settle(
          call,
          Promise.resolve().then(() => run(call, controller.signal)),
        );
      };
  }
}

/**
 * The grpc-js handlers for `impl`, to pass to `server.addService` with
 * createServiceDefinition(service). Prefer addService, which does both.
 */
export function createServiceImplementation<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: ServiceImplementationOptions = {},
): UntypedServiceImplementation {
  const toStatus = options.toStatus ?? defaultToStatus;
  const handlers: Record<string, UntypedHandleCall> = {};
  const methods = impl as Record<string, (call: never, signal: AbortSignal) => Promise<unknown>>;
  for (const method of service.methods) {
    const handler = methods[method.localName];
    if (handler === undefined) continue; // grpc-js answers UNIMPLEMENTED for missing methods
    handlers[method.localName] = wrap(
      method,
      handler.bind(impl),
      toStatus,
      options.defaultDeadlineMs,
    );
  }
  return handlers;
}

/** Registers `impl` for `service` on a grpc-js server. */
export function addService<S extends DescService>(
  server: Pick<Server, "addService">,
  service: S,
  impl: ServiceImpl<S>,
  options: ServiceImplementationOptions = {},
): void {
  server.addService(
    createServiceDefinition(service),
    createServiceImplementation(service, impl, options),
  );
}
