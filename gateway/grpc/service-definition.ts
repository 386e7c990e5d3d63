import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  fromBinary,
  isMessage,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/**
 * What the server-side request deserializer yields for bytes that are not a valid message.
 * grpc-js turns a *throwing* deserializer into INTERNAL, which would blame the server for the
 * client's bad input; so we return this marker instead and the handler wrappers in
 * service-implementation.ts answer INVALID_ARGUMENT without calling the implementation.
 */
export class DecodeFailure {
  constructor(
    /** Fully-qualified name of the message that failed to decode. */
    readonly typeName: string,
    /** Why protobuf-es rejected the bytes. */
    readonly reason: string,
  ) {}

  /** Status details sent to the client. */
  get details(): string {
    return `invalid request: cannot decode ${this.typeName}: ${this.reason}`;
  }
}

/**
 * A message already in protobuf binary (e.g. an offer forwarded from the bus as the router
 * encoded it): written to the wire as it is, without decoding and encoding it again. Only the
 * schema it was encoded with is accepted (see serializeMessage).
 */
export class EncodedMessage<Desc extends DescMessage = DescMessage> {
  constructor(
    readonly schema: Desc,
    readonly bytes: Uint8Array,
  ) {}
}

/** `/package.Service/Method`, the HTTP/2 path of a gRPC method. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/**
 * Serializes a message or a message init shape (a plain object literal) of the given schema.
 * Accepting init shapes lets handlers and callers return `{ contact: {...} }` without `create`;
 * an EncodedMessage of the same schema is passed through as it is.
 */
export function serializeMessage<Desc extends DescMessage>(
  schema: Desc,
  value: MessageInitShape<Desc> | EncodedMessage<Desc>,
): Buffer {
  if (value instanceof EncodedMessage) {
    if (value.schema.typeName !== schema.typeName) {
      throw new Error(`${value.schema.typeName} bytes sent where ${schema.typeName} belongs`);
    }
    const { bytes } = value;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const message = isMessage(value, schema) ? value : create(schema, value);
  const bytes = toBinary(schema, message as MessageShape<Desc>);
  // Share the memory instead of copying: grpc-js only needs a Buffer view.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a request on the server; never throws (see DecodeFailure). */
function decodeRequest(schema: DescMessage, bytes: Buffer): unknown {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    return new DecodeFailure(
      schema.typeName,
      error instanceof Error ? error.message : String(error),
    );
  }
}

const definitions = new WeakMap<DescService, ServiceDefinition>();

/**
 * A grpc-js ServiceDefinition for a protobuf-es service descriptor: binary (de)serialization
 * through protobuf-es, method kinds from the descriptor, keys by the method's localName
 * (`submitContact`, with `originalName` `SubmitContact`). Cached per descriptor.
 *
 * Serve it only through createServiceImplementation / addService: their handlers turn
 * undecodable requests (DecodeFailure values) into INVALID_ARGUMENT.
 */
export function createServiceDefinition(service: DescService): ServiceDefinition {
  const cached = definitions.get(service);
  if (cached !== undefined) return cached;
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    const entry: MethodDefinition<unknown, unknown> = {
      path: methodPath(method),
      originalName: method.name,
      requestStream:
        method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream:
        method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (value) =>
        serializeMessage(method.input, value as MessageInitShape<DescMessage>),
      requestDeserialize: (bytes) => decodeRequest(method.input, bytes),
      responseSerialize: (value) =>
        serializeMessage(method.output, value as MessageInitShape<DescMessage>),
      // Client side: a throwing response deserializer becomes INTERNAL at the caller, which is
      // right: a server sending garbage is not the caller's fault.
      responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    };
    definition[method.localName] = entry;
  }
  definitions.set(service, definition);
  return definition;
}
