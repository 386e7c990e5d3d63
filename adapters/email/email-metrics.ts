import { Counter, type Registry } from "prom-client";

/** The email adapter's instruments on the process registry (README: Metrics). */
export function createEmailMetrics(registry: Registry) {
  return {
    /** outcome accepted|rejected; reason new_contact, joined_thread, too_large, rate_limited… */
    inbound: new Counter({
      name: "switchboard_email_inbound_total",
      help: "Inbound SMTP messages by outcome (accepted, rejected) and reason.",
      labelNames: ["outcome", "reason"],
      registers: [registry],
    }),
    /** Accepted with 250 and dropped: auto-replies, bounces, lists, system senders. */
    loops: new Counter({
      name: "switchboard_email_loops_dropped_total",
      help: "Inbound mail accepted and dropped because answering it could start a mail loop, by reason.",
      labelNames: ["reason"],
      registers: [registry],
    }),
    /** kind ack|reply; outcome sent|failed|skipped|suppressed. */
    outbound: new Counter({
      name: "switchboard_email_outbound_total",
      help: "Outbound mail attempts by kind (ack, reply) and outcome (sent, failed, skipped, suppressed).",
      labelNames: ["kind", "outcome"],
      registers: [registry],
    }),
  };
}

export type EmailMetrics = ReturnType<typeof createEmailMetrics>;
