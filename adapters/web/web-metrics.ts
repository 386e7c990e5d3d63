import { Counter, Gauge, type Registry } from "prom-client";

/** The web chat adapter's instruments, on the gateway's registry (served on /metrics). */
export interface WebMetrics {
  readonly sessionsCreated: Counter<"topic">;
  readonly sessionsRefused: Counter<"reason">;
  readonly socketsOpen: Gauge;
  readonly framesIn: Counter<"type">;
  readonly framesOut: Counter<"type">;
  readonly upgradesRejected: Counter<"reason">;
  readonly rateLimited: Counter;
  readonly abandoned: Counter;
  readonly transcriptsSent: Counter<"outcome">;
}

export function createWebMetrics(registry: Registry): WebMetrics {
  const registers = [registry];
  return {
    sessionsCreated: new Counter({
      name: "switchboard_chat_sessions_created_total",
      help: "Chat sessions created (POST /chat/sessions answered 201), by topic.",
      labelNames: ["topic"],
      registers,
    }),
    sessionsRefused: new Counter({
      name: "switchboard_chat_sessions_refused_total",
      help: "POST /chat/sessions refused: invalid, too_large, media_type, unavailable, error.",
      labelNames: ["reason"],
      registers,
    }),
    socketsOpen: new Gauge({
      name: "switchboard_chat_sockets_open",
      help: "Customer chat WebSockets open on this process.",
      registers,
    }),
    framesIn: new Counter({
      name: "switchboard_chat_frames_in_total",
      help: "Frames received from customers, by type (invalid: malformed or unknown).",
      labelNames: ["type"],
      registers,
    }),
    framesOut: new Counter({
      name: "switchboard_chat_frames_out_total",
      help: "Frames sent to customers, by type.",
      labelNames: ["type"],
      registers,
    }),
    upgradesRejected: new Counter({
      name: "switchboard_chat_upgrades_rejected_total",
      help: "WebSocket upgrades refused before the handshake: origin, token, unavailable.",
      labelNames: ["reason"],
      registers,
    }),
    rateLimited: new Counter({
      name: "switchboard_chat_rate_limited_frames_total",
      help: "Customer frames refused by the per-connection rate limit.",
      registers,
    }),
    abandoned: new Counter({
      name: "switchboard_chat_abandoned_total",
      help: "Chats ended because the customer left (away past --chat-grace-ms, or left).",
      registers,
    }),
    transcriptsSent: new Counter({
      name: "switchboard_chat_transcripts_total",
      help: "Transcript emails requested, by outcome: sent, failed, not_configured.",
      labelNames: ["outcome"],
      registers,
    }),
  };
}
