// Public surface of the protobuf-es ⇄ grpc-js adapter; gateway/grpc/index.ts re-exports it.
export {
  type CallOptions,
  type ClientMethod,
  type ClientStreamingCall,
  createGrpcClient,
  type GrpcClient,
  type GrpcClientOptions,
} from "./client.js";
export {
  addReflection,
  createReflectionPackageDefinition,
  type ReflectionOptions,
} from "./reflection.js";
export { createServiceDefinition, EncodedMessage, methodPath } from "./service-definition.js";
export {
  addService,
  createServiceImplementation,
  type MethodImpl,
  type ServiceImpl,
  type ServiceImplementationOptions,
  UNUSED_SIGNAL,
} from "./service-implementation.js";
