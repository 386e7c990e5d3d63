export type {
  AdapterContext,
  AdapterFactory,
  GrpcRegistration,
  HttpRoutes,
  RunningAdapter,
} from "./adapter-host.js";
export { type Gateway, type GatewayOptions, startGateway } from "./gateway.js";
export {
  startTestGateway,
  type TestGateway,
  type TestGatewayOptions,
} from "./gateway-test-kit.js";
export {
  type CallOptions,
  type ClientMethod,
  type ClientStreamingCall,
  createGrpcClient,
  type GrpcClient,
  type GrpcClientOptions,
  type ServiceImpl,
} from "./grpc/adapter.js";
export { nextOrStop } from "./grpc/next-or-stop.js";
export { createHealthMonitor, type HealthMonitor } from "./health-monitor.js";
export { type OpsHttpServer, startOpsHttpServer } from "./http-server.js";
export { createGatewayMetrics, type GatewayMetrics } from "./metrics.js";
export { fieldViolationsOf, GRPC_STATUS, toServiceError } from "./status.js";
