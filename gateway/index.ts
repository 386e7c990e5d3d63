export { type Gateway, type GatewayOptions, startGateway } from "./gateway.js";
export {
  type CallOptions,
  type ClientMethod,
  type ClientStreamingCall,
  createGrpcClient,
  type GrpcClient,
  type GrpcClientOptions,
} from "./grpc/adapter.js";
export { fieldViolationsOf, GRPC_STATUS, toServiceError } from "./status.js";
