import { Counter, Histogram, type Registry } from "prom-client";

export interface PhoneMetrics {
  /** Webhook answers by route and HTTP status. */
  readonly webhooks: Counter<"route" | "status">;
  /** Inbound calls by how the caller's leg ended. */
  readonly calls: Counter<"outcome">;
  readonly signatureFailures: Counter<"reason">;
  /** offered (heard the offer), accepted (pressed 1), placed, answered, failed. */
  readonly callbacks: Counter<"stage">;
  readonly restErrors: Counter<"operation" | "kind">;
  /** Live-call moves to the accepting agent. */
  readonly redirects: Counter<"result">;
  readonly abandonedWaitSeconds: Histogram;
}

/** The phone adapter's instruments on the process registry (`/metrics`). */
export function createPhoneMetrics(registry: Registry): PhoneMetrics {
  const registers = [registry];
  return {
    webhooks: new Counter({
      name: "switchboard_phone_webhooks_total",
      help: "Voice webhooks answered, by route and HTTP status.",
      labelNames: ["route", "status"],
      registers,
    }),
    calls: new Counter({
      name: "switchboard_phone_calls_total",
      help: "Inbound calls by outcome when the caller's leg ended: ivr_hangup, abandoned, callback, agent_unanswered, connected, failed.",
      labelNames: ["outcome"],
      registers,
    }),
    signatureFailures: new Counter({
      name: "switchboard_phone_signature_failures_total",
      help: "Voice webhooks refused 403: X-Twilio-Signature missing or not matching.",
      labelNames: ["reason"],
      registers,
    }),
    callbacks: new Counter({
      name: "switchboard_phone_callbacks_total",
      help: "Callbacks by stage: offered, accepted, placed, answered, failed.",
      labelNames: ["stage"],
      registers,
    }),
    restErrors: new Counter({
      name: "switchboard_phone_provider_api_errors_total",
      help: "Voice provider REST API failures (each failed attempt), by operation and kind.",
      labelNames: ["operation", "kind"],
      registers,
    }),
    redirects: new Counter({
      name: "switchboard_phone_live_redirects_total",
      help: "Waiting callers moved to the accepting agent through the provider API, by result.",
      labelNames: ["result"],
      registers,
    }),
    abandonedWaitSeconds: new Histogram({
      name: "switchboard_phone_abandoned_wait_seconds",
      help: "How long callers waited in the queue before hanging up.",
      buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    }),
  };
}
