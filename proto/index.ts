// The only entry point into proto/ for other folders (DESIGN §5.1): the generated
// protobuf-es code for the switchboard.v1 contract and the vendored gRPC health and
// reflection protocols. scripts/check-gen.mjs fails when a generated file is missing here.
// First, before any message is encoded: protobuf-es's string conversion for short ASCII.
import "./text-encoding.js";

export * from "./gen/google/rpc/error_details_pb.js";
export * from "./gen/google/rpc/status_pb.js";
export * from "./gen/grpc/health/v1/health_pb.js";
export * from "./gen/grpc/reflection/v1/reflection_pb.js";
export * from "./gen/switchboard/v1/admin_service_pb.js";
export * from "./gen/switchboard/v1/agent_pb.js";
export * from "./gen/switchboard/v1/agent_service_pb.js";
export * from "./gen/switchboard/v1/common_pb.js";
export * from "./gen/switchboard/v1/contact_pb.js";
export * from "./gen/switchboard/v1/contact_service_pb.js";
export * from "./gen/switchboard/v1/conversation_pb.js";
export * from "./gen/switchboard/v1/events_pb.js";
export * from "./gen/switchboard/v1/kiosk_service_pb.js";
export * from "./gen/switchboard/v1/pipeline_pb.js";
export * from "./gen/switchboard/v1/routing_pb.js";
export * from "./gen/switchboard/v1/stats_service_pb.js";
