import type { DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import {
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  type CallOptions as GrpcCallOptions,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { createServiceDefinition } from "./service-definition.js";

/** Per-call options. */
export interface CallOptions {
  /** Request metadata (e.g. `authorization`). */
  metadata?: Metadata;
  /** Deadline relative to the start of the call; overrides GrpcClientOptions.defaultTimeoutMs. */
  timeoutMs?: number;
  /** Cancels the call (status CANCELLED) when aborted. */
  signal?: AbortSignal;
}

/** Options of createGrpcClient. */
export interface GrpcClientOptions {
  /**
   * Deadline of unary and client-streaming calls that set no timeoutMs. Default 30 000 ms:
   * every call has a deadline. Server-streaming and bidi calls are long-lived and get a
   * deadline only from CallOptions.timeoutMs.
   */
  defaultTimeoutMs?: number;
  /** grpc-js channel options, e.g. `grpc.max_receive_message_length`. */
  channelOptions?: ChannelOptions;
  /** Sent as `authorization: Bearer <token>` on every call that sets no authorization itself. */
  token?: string;
}

/** A client-streaming call: write requests to `call`, then `end()` it and await `response`. */
export interface ClientStreamingCall<I, O> {
  call: ClientWritableStream<I>;
  response: Promise<O>;
}

type In<M extends Pick<DescMethod, "input">> = MessageInitShape<M["input"]>;
type Out<M extends Pick<DescMethod, "output">> = MessageShape<M["output"]>;

/** The client-side signature of one method, chosen by its kind. */
export type ClientMethod<M extends Pick<DescMethod, "input" | "output" | "methodKind">> =
  M["methodKind"] extends "unary"
    ? (request: In<M>, options?: CallOptions) => Promise<Out<M>>
    : M["methodKind"] extends "server_streaming"
      ? (request: In<M>, options?: CallOptions) => ClientReadableStream<Out<M>>
      : M["methodKind"] extends "client_streaming"
        ? (options?: CallOptions) => ClientStreamingCall<In<M>, Out<M>>
        : (options?: CallOptions) => ClientDuplexStream<In<M>, Out<M>>;

/** A typed client for one service; methods are named by their localName (`submitContact`). */
export type GrpcClient<S extends DescService> = {
  [K in keyof S["method"]]: ClientMethod<S["method"][K]>;
} & {
  /** The underlying grpc-js client (connectivity state, waitForReady). */
  readonly grpcClient: Client;
  /** Closes the channel; calls in flight fail with UNAVAILABLE or CANCELLED. */
  close(): void;
  [Symbol.dispose](): void;
};

type UnaryFn = (
  request: unknown,
  metadata: Metadata,
  options: GrpcCallOptions,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => Cancellable;
type StreamFn = (...args: unknown[]) => Cancellable;
interface Cancellable {
  cancel(): void;
  on(event: "status", listener: () => void): unknown;
}

/** Cancels `call` when `signal` aborts, until the call ends. */
function linkSignal<C extends Cancellable>(call: C, signal: AbortSignal | undefined): C {
  if (signal === undefined) return call;
  if (signal.aborted) {
    call.cancel();
    return call;
  }
  const cancel = () => call.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  call.on("status", () => signal.removeEventListener("abort", cancel));
  return call;
}

/**
 * A typed, promise-based client for a protobuf-es service descriptor over grpc-js:
 * unary calls return promises, streams return grpc-js call objects typed with the message
 * shapes. Requests may be messages or plain init shapes.
 */
export function createGrpcClient<S extends DescService>(
  service: S,
  address: string,
  credentials: ChannelCredentials,
  options: GrpcClientOptions = {},
): GrpcClient<S> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const Constructor = makeGenericClientConstructor(
    createServiceDefinition(service),
    service.typeName,
  );
  const client = new Constructor(address, credentials, options.channelOptions ?? {});
  const raw = client as unknown as Record<string, UnaryFn & StreamFn>;

  const metadataOf = (opts: CallOptions): Metadata => {
    const metadata = opts.metadata?.clone() ?? new Metadata();
    if (options.token !== undefined && metadata.get("authorization").length === 0) {
      metadata.set("authorization", `Bearer ${options.token}`);
    }
    return metadata;
  };
  const callOptions = (timeoutMs: number | undefined): GrpcCallOptions =>
    timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };

  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    const fn = raw[method.localName]!.bind(client);
    switch (method.methodKind) {
      case "unary":
        methods[method.localName] = (request: unknown, opts: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            const call = fn(
              request,
              metadataOf(opts),
              callOptions(opts.timeoutMs ?? defaultTimeoutMs),
              (error, response) => (error ? reject(error) : resolve(response)),
            );
            linkSignal(call, opts.signal);
          });
        break;
      case "server_streaming":
        methods[method.localName] = (request: unknown, opts: CallOptions = {}) =>
          linkSignal(fn(request, metadataOf(opts), callOptions(opts.timeoutMs)), opts.signal);
        break;
      case "client_streaming":
        methods[method.localName] = (opts: CallOptions = {}) => {
          let call: Cancellable | undefined;
          const response = new Promise((resolve, reject) => {
            call = fn(
              metadataOf(opts),
              callOptions(opts.timeoutMs ?? defaultTimeoutMs),
              (error: ServiceError | null, value?: unknown) =>
                error ? reject(error) : resolve(value),
            );
          });
          // A caller that only writes and never awaits must not crash the process on failure.
          response.catch(() => {});
          return { call: linkSignal(call!, opts.signal), response };
        };
        break;
      case "bidi_streaming":
        methods[method.localName] = (opts: CallOptions = {}) =>
          linkSignal(fn(metadataOf(opts), callOptions(opts.timeoutMs)), opts.signal);
        break;
    }
  }
  const close = () => client.close();
  return Object.assign(methods, {
    grpcClient: client,
    close,
    [Symbol.dispose]: close,
  }) as unknown as GrpcClient<S>;
}
