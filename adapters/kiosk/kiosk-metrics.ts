import { Counter, Gauge, type Registry } from "prom-client";

/** The kiosk adapter's instruments on the process registry (/metrics); README lists them. */
export interface KioskMetrics {
  readonly devicesOnline: Gauge;
  readonly deviceOnline: Gauge<"device" | "site">;
  readonly offlineTransitions: Counter;
  readonly streamsRefused: Counter<"reason">;
  readonly helpRequests: Counter<"outcome">;
  readonly faults: Counter<"outcome">;
  readonly csatAnswers: Counter<"score">;
  readonly callbacks: Counter<"outcome">;
}

export function createKioskMetrics(registry: Registry): KioskMetrics {
  const registers = [registry];
  return {
    devicesOnline: new Gauge({
      name: "switchboard_kiosk_devices_online",
      help: "Kiosk devices this process holds that are online (heartbeat within the timeout).",
      registers,
    }),
    // Devices come from the configuration, so the label set is bounded.
    deviceOnline: new Gauge({
      name: "switchboard_kiosk_device_online",
      help: "1 while the kiosk is online on this process, 0 once it went offline here.",
      labelNames: ["device", "site"],
      registers,
    }),
    offlineTransitions: new Counter({
      name: "switchboard_kiosk_offline_transitions_total",
      help: "Kiosk devices marked offline after missing heartbeats.",
      registers,
    }),
    streamsRefused: new Counter({
      name: "switchboard_kiosk_streams_refused_total",
      help: "Kiosk streams refused, by reason (unauthenticated, no_hello).",
      labelNames: ["reason"],
      registers,
    }),
    helpRequests: new Counter({
      name: "switchboard_kiosk_help_requests_total",
      help: "Kiosk help requests, by outcome (created, duplicate, refused).",
      labelNames: ["outcome"],
      registers,
    }),
    faults: new Counter({
      name: "switchboard_kiosk_faults_total",
      help: "Kiosk fault reports, by outcome (raised, deduped, cleared, refused).",
      labelNames: ["outcome"],
      registers,
    }),
    csatAnswers: new Counter({
      name: "switchboard_kiosk_csat_answers_total",
      help: "Satisfaction answers recorded from kiosks, by score.",
      labelNames: ["score"],
      registers,
    }),
    callbacks: new Counter({
      name: "switchboard_kiosk_callbacks_total",
      help: "Kiosk callbacks, by outcome (offered, accepted).",
      labelNames: ["outcome"],
      registers,
    }),
  };
}
