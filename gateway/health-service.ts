import type { DescService } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { ErrorCode, SwitchboardError } from "../core/index.js";
import {
  type Health,
  type HealthCheckResponse,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../proto/index.js";
import type { ServiceImpl } from "./grpc/adapter.js";
import type { HealthMonitor, HealthSnapshot } from "./health-monitor.js";

/**
 * `grpc.health.v1.Health` over the health monitor. The empty service name is the whole
 * server; every switchboard service this gateway hosts reports the same status, since they
 * share the same dependencies. Unknown names: Check answers NOT_FOUND and Watch streams
 * SERVICE_UNKNOWN, as the health protocol specifies.
 */
export function createHealthService(
  monitor: HealthMonitor,
  services: readonly DescService[],
): ServiceImpl<typeof Health> {
  const known = new Set(["", ...services.map((s) => s.typeName)]);
  const statusOf = (service: string, snapshot: HealthSnapshot): HealthCheckResponse =>
    create(HealthCheckResponseSchema, {
      status: !known.has(service)
        ? ServingStatus.SERVICE_UNKNOWN
        : snapshot.serving
          ? ServingStatus.SERVING
          : ServingStatus.NOT_SERVING,
    });

  return {
    async check(call) {
      const { service } = call.request;
      if (!known.has(service)) {
        throw new SwitchboardError(ErrorCode.NotFound, `unknown service "${service}"`);
      }
      return statusOf(service, monitor.snapshot());
    },
    async watch(call, signal) {
      const { service } = call.request;
      let last: ServingStatus | undefined;
      const send = (snapshot: HealthSnapshot) => {
        const response = statusOf(service, snapshot);
        if (response.status === last) return;
        last = response.status;
        call.write(response);
      };
      send(monitor.snapshot());
      await new Promise<void>((resolve) => {
        const unsubscribe = monitor.onChange(send);
        // Ends with the call (client cancel) or with the monitor (server shutdown).
        const done = () => {
          unsubscribe();
          resolve();
        };
        signal.addEventListener("abort", done, { once: true });
        monitor.onClose(done);
      });
    },
  };
}
