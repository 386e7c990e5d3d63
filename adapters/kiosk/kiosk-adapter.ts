import type { AdapterContext, AdapterFactory, RunningAdapter } from "../../gateway/index.js";
import { KioskService } from "../../proto/index.js";
import { createDevicePresence } from "./device-presence.js";
import { loadKioskSettings } from "./kiosk-config.js";
import { startKioskHub } from "./kiosk-hub.js";
import { createKioskMetrics } from "./kiosk-metrics.js";
import { subscribeQueuePositions } from "./kiosk-positions.js";
import { createKioskService } from "./kiosk-service.js";
import { createKioskState, type KioskState } from "./kiosk-state.js";

/** Options for tests; production uses the defaults. */
export interface KioskAdapterOptions {
  /** The first message of a stream must arrive within this long. Default 10 000. */
  readonly helloTimeoutMs?: number;
}

/**
 * The kiosk channel adapter (adapters/kiosk/README.md): KioskService.Connect on the gateway's
 * gRPC port for the devices configured in the `kiosk` section of --channels-file.
 */
export function createKioskAdapter(options: KioskAdapterOptions = {}): AdapterFactory {
  return async (ctx: AdapterContext): Promise<RunningAdapter> => {
    const settings = loadKioskSettings(ctx.config);
    const logger = ctx.logger.child({ adapter: "kiosk" });
    const metrics = createKioskMetrics(ctx.metrics);
    const states = new Map<string, KioskState>();
    const stateOf = (tenant: string): KioskState => {
      let state = states.get(tenant);
      if (state === undefined) {
        state = createKioskState(ctx.store, tenant);
        states.set(tenant, state);
      }
      return state;
    };
    const presence = createDevicePresence({
      bus: ctx.bus,
      clock: ctx.clock,
      logger,
      metrics,
      timeoutMs: settings.heartbeatTimeoutMs,
    });
    const hub = await startKioskHub({
      bus: ctx.bus,
      store: ctx.store,
      logger,
      settings,
      metrics,
      stateOf,
    });
    const positions = await subscribeQueuePositions(ctx.bus, hub, logger);
    const impl = createKioskService({
      settings,
      intake: ctx.intake,
      hub,
      presence,
      metrics,
      stateOf,
      logger,
      clock: ctx.clock,
      ids: ctx.ids,
      shutdown: ctx.shutdown,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    });
    logger.info(
      { devices: settings.devices.size, flows: settings.flows.size },
      "kiosk adapter started",
    );
    return {
      name: "kiosk",
      grpc: [{ service: KioskService, impl }],
      async stop() {
        // Streams end through ctx.shutdown; what they started is durable already.
        positions.unsubscribe();
        hub.close();
        presence.stop();
      },
    };
  };
}

/** The factory `switchboard` registers (role `all`, `switchboard adapter kiosk`). */
export const startKioskAdapter: AdapterFactory = createKioskAdapter();
