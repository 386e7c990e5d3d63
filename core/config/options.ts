import { LOG_LEVELS, type LogLevel } from "../log.js";

/**
 * Every setting Switchboard reads, in one table: its flag, its environment variable, its
 * default and how to validate it. `--help`, the README's configuration table and
 * load-config.ts are all generated from this table, so they cannot drift apart.
 */
export const ROLES = ["all", "gateway", "router", "adapter", "simulate", "staff", "bench"] as const;
export type Role = (typeof ROLES)[number];
export const ADAPTERS = ["email", "web", "phone", "kiosk"] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface Config {
  readonly role: Role;
  /** Set when role is "adapter". */
  readonly adapter?: AdapterName;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly smtpPort: number;
  /** Unset: the embedded in-memory bus. */
  readonly natsUrl?: string;
  /** Unset: the embedded in-memory store. */
  readonly redisUrl?: string;
  readonly logLevel: LogLevel;
  readonly grpcMaxMessageBytes: number;
  readonly grpcDefaultDeadlineMs: number;
  readonly shutdownTimeoutMs: number;
  /** Tenants (router partitions) this process routes for. */
  readonly tenants: readonly string[];
  /** YAML file of API tokens per tenant; unset and none stored: open mode, tenant "default". */
  readonly tokensFile?: string;
  /** PEM certificate chain; with tlsKeyFile, the gRPC edge serves TLS. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** PEM CA bundle; when set, clients must present a certificate it signed (mTLS). */
  readonly tlsClientCaFile?: string;
  /** YAML/JSON file: per-channel routing (email recipients, phone IVR menu, kiosk devices, flows, faults). */
  readonly channelsFile?: string;
  readonly smtpMaxBytes: number;
  readonly smtpMaxConnections: number;
  readonly smtpMessagesPerMinute: number;
  /** Unset: no mail goes out (acknowledgements and replies are logged and dropped). */
  readonly smtpOutboundUrl?: string;
  readonly emailFrom: string;
  /** Unset: attachment contents are dropped, their metadata kept. */
  readonly attachmentsDir?: string;
  /** Origins allowed to open the chat WebSocket; unset: the page's own origin only. */
  readonly allowedOrigins?: readonly string[];
  readonly chatGraceMs: number;
  readonly wsMaxPayloadBytes: number;
  readonly wsMessagesPerMinute: number;
  /** The public base URL the voice provider calls (signatures are computed over it). */
  readonly publicUrl?: string;
  /** Unset: voice webhooks cannot be verified and are refused. */
  readonly twilioAuthToken?: string;
  readonly twilioAccountSid?: string;
  readonly twilioApiUrl: string;
  readonly callbackThresholdSeconds: number;
  readonly holdAnnounceSeconds: number;
  readonly kioskHeartbeatTimeoutMs: number;
}

/** The keys a user can set (the role and adapter come from positional arguments). */
export type SettingKey = Exclude<keyof Config, "role" | "adapter">;

type Parser = (raw: string) => { value: unknown } | { error: string };

export interface OptionSpec {
  readonly key: SettingKey;
  /** Flag name without dashes; also the key in a --config file. */
  readonly flag: string;
  readonly env: string;
  /** Older or conventional variable names also honoured, after `env`. */
  readonly envAliases?: readonly string[];
  readonly default?: string | number;
  readonly allowed: string;
  readonly description: string;
  readonly parse: Parser;
}

const int =
  (min: number, max: number): Parser =>
  (raw) => {
    const n = Number(raw);
    return /^\s*-?\d+\s*$/.test(raw) && n >= min && n <= max
      ? { value: n }
      : { error: `must be an integer from ${min} to ${max}` };
  };

const port = int(1, 65535);

const urls =
  (protocols: readonly string[]): Parser =>
  (raw) => {
    // NATS accepts a comma-separated server list for clusters; every entry must be valid.
    const entries = raw.split(",").map((s) => s.trim());
    for (const entry of entries) {
      const which = entries.length > 1 ? `entry "${entry}" ` : "";
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        return { error: `${which}is not a URL (expected e.g. ${protocols[0]}//127.0.0.1)` };
      }
      if (!protocols.includes(url.protocol) || url.hostname === "") {
        return { error: `${which}must be a ${protocols.join(" or ")}//host[:port] URL` };
      }
    }
    return { value: raw };
  };

const oneOf =
  (values: readonly string[]): Parser =>
  (raw) =>
    values.includes(raw) ? { value: raw } : { error: `must be one of ${values.join(", ")}` };

const nonEmpty: Parser = (raw) =>
  raw.trim() === "" ? { error: "must not be empty" } : { value: raw };

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: "host",
    flag: "host",
    env: "SWITCHBOARD_HOST",
    default: "0.0.0.0",
    allowed: "IP address or hostname",
    description: "Address the gRPC, HTTP and SMTP listeners bind to.",
    parse: nonEmpty,
  },
  {
    key: "grpcPort",
    flag: "grpc-port",
    env: "SWITCHBOARD_GRPC_PORT",
    default: 50051,
    allowed: "1–65535",
    description: "gRPC edge: ContactService, AgentService, AdminService, health, reflection.",
    parse: port,
  },
  {
    key: "httpPort",
    flag: "http-port",
    env: "SWITCHBOARD_HTTP_PORT",
    default: 8080,
    allowed: "1–65535",
    description: "HTTP: /healthz, /readyz, /metrics (Prometheus).",
    parse: port,
  },
  {
    key: "smtpPort",
    flag: "smtp-port",
    env: "SWITCHBOARD_SMTP_PORT",
    default: 2525,
    allowed: "1–65535",
    description: "Inbound SMTP for the email adapter.",
    parse: port,
  },
  {
    key: "natsUrl",
    flag: "nats-url",
    env: "SWITCHBOARD_NATS_URL",
    envAliases: ["NATS_URL"],
    allowed: "nats://, tls://, ws:// or wss:// URL(s), comma-separated",
    description: "NATS JetStream servers. Unset: the embedded in-memory bus.",
    parse: urls(["nats:", "tls:", "ws:", "wss:"]),
  },
  {
    key: "redisUrl",
    flag: "redis-url",
    env: "SWITCHBOARD_REDIS_URL",
    envAliases: ["REDIS_URL"],
    allowed: "redis:// or rediss:// URL",
    description: "Redis for routing state. Unset: the embedded in-memory store.",
    parse: urls(["redis:", "rediss:"]),
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "SWITCHBOARD_LOG_LEVEL",
    default: "info",
    allowed: LOG_LEVELS.join(", "),
    description: "Minimum level of the JSON log lines written to stdout.",
    parse: oneOf(LOG_LEVELS),
  },
  {
    key: "grpcMaxMessageBytes",
    flag: "grpc-max-message-bytes",
    env: "SWITCHBOARD_GRPC_MAX_MESSAGE_BYTES",
    default: 4 * 1024 * 1024,
    allowed: "1024–67108864",
    description: "Largest gRPC message accepted or sent.",
    parse: int(1024, 64 * 1024 * 1024),
  },
  {
    key: "grpcDefaultDeadlineMs",
    flag: "grpc-default-deadline-ms",
    env: "SWITCHBOARD_GRPC_DEFAULT_DEADLINE_MS",
    default: 30_000,
    allowed: "1–3600000",
    description: "Deadline applied to unary calls whose client set none.",
    parse: int(1, 3_600_000),
  },
  {
    key: "tenants",
    flag: "tenants",
    env: "SWITCHBOARD_TENANTS",
    default: "default",
    allowed: "comma-separated ids of letters, digits, - and _",
    description: "Tenants the router serves: one partition, lease and engine each.",
    parse: (raw) => {
      const ids = raw.split(",").map((s) => s.trim());
      const bad = ids.find((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id));
      return bad === undefined
        ? { value: Object.freeze([...new Set(ids)]) }
        : { error: `has an invalid tenant id "${bad}" (letters, digits, - and _ only)` };
    },
  },
  {
    key: "tokensFile",
    flag: "tokens-file",
    env: "SWITCHBOARD_TOKENS_FILE",
    allowed: "path to a YAML file",
    description:
      'API tokens per tenant (role admin, platform or agent) seeded at start. Unset and none stored: open mode, one tenant "default".',
    parse: nonEmpty,
  },
  {
    key: "tlsCertFile",
    flag: "tls-cert-file",
    env: "SWITCHBOARD_TLS_CERT_FILE",
    allowed: "path to a PEM file",
    description:
      "Certificate chain for TLS on the gRPC port; needs --tls-key-file. Unset: plaintext.",
    parse: nonEmpty,
  },
  {
    key: "tlsKeyFile",
    flag: "tls-key-file",
    env: "SWITCHBOARD_TLS_KEY_FILE",
    allowed: "path to a PEM file",
    description: "Private key for --tls-cert-file.",
    parse: nonEmpty,
  },
  {
    key: "tlsClientCaFile",
    flag: "tls-client-ca-file",
    env: "SWITCHBOARD_TLS_CLIENT_CA_FILE",
    allowed: "path to a PEM file",
    description: "CA bundle for mutual TLS: gRPC clients must present a certificate it signed.",
    parse: nonEmpty,
  },
  {
    key: "shutdownTimeoutMs",
    flag: "shutdown-timeout-ms",
    env: "SWITCHBOARD_SHUTDOWN_TIMEOUT_MS",
    default: 10_000,
    allowed: "0–600000",
    description: "On SIGTERM/SIGINT, how long in-flight work may drain before exit.",
    parse: int(0, 600_000),
  },
  {
    key: "channelsFile",
    flag: "channels-file",
    env: "SWITCHBOARD_CHANNELS_FILE",
    allowed: "path to a YAML or JSON file",
    description:
      "Per-channel routing for the adapters: email recipients, phone IVR menu, kiosk devices, flows and faults (adapters/README.md). Unset: everything to the default queue.",
    parse: nonEmpty,
  },
  {
    key: "smtpMaxBytes",
    flag: "smtp-max-bytes",
    env: "SWITCHBOARD_SMTP_MAX_BYTES",
    default: 25 * 1024 * 1024,
    allowed: "1024–1073741824",
    description: "Largest inbound email; a bigger one is refused with 552 and nothing is kept.",
    parse: int(1024, 1024 * 1024 * 1024),
  },
  {
    key: "smtpMaxConnections",
    flag: "smtp-max-connections",
    env: "SWITCHBOARD_SMTP_MAX_CONNECTIONS",
    default: 100,
    allowed: "1–100000",
    description: "Concurrent inbound SMTP connections; more are refused with 421.",
    parse: int(1, 100_000),
  },
  {
    key: "smtpMessagesPerMinute",
    flag: "smtp-messages-per-minute",
    env: "SWITCHBOARD_SMTP_MESSAGES_PER_MINUTE",
    default: 60,
    allowed: "1–1000000",
    description: "Inbound messages per client IP per minute; more are deferred with 451.",
    parse: int(1, 1_000_000),
  },
  {
    key: "smtpOutboundUrl",
    flag: "smtp-outbound-url",
    env: "SWITCHBOARD_SMTP_OUTBOUND_URL",
    allowed: "smtp:// or smtps:// URL",
    description:
      "Relay for acknowledgements, agent replies and transcripts. Unset: no mail goes out (logged).",
    parse: urls(["smtp:", "smtps:"]),
  },
  {
    key: "emailFrom",
    flag: "email-from",
    env: "SWITCHBOARD_EMAIL_FROM",
    default: "Switchboard Support <support@switchboard.localhost>",
    allowed: "an RFC 5322 address",
    description: "From: of outbound mail.",
    parse: nonEmpty,
  },
  {
    key: "attachmentsDir",
    flag: "attachments-dir",
    env: "SWITCHBOARD_ATTACHMENTS_DIR",
    allowed: "path to a folder",
    description: "Where inbound attachment contents are kept. Unset: dropped, metadata kept.",
    parse: nonEmpty,
  },
  {
    key: "allowedOrigins",
    flag: "allowed-origins",
    env: "SWITCHBOARD_ALLOWED_ORIGINS",
    allowed: "comma-separated origins (https://shop.example.com) or *",
    description:
      "Pages allowed to open the chat WebSocket. Unset: only pages served by Switchboard itself.",
    parse: (raw) => {
      const list = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      for (const origin of list) {
        if (origin === "*") continue;
        let url: URL;
        try {
          url = new URL(origin);
        } catch {
          return { error: `has "${origin}", not an origin like https://shop.example.com` };
        }
        if (url.origin !== origin) {
          return {
            error: `has "${origin}"; an origin is scheme://host[:port] only (${url.origin})`,
          };
        }
      }
      return list.length === 0
        ? { error: "must name at least one origin" }
        : { value: Object.freeze(list) };
    },
  },
  {
    key: "chatGraceMs",
    flag: "chat-grace-ms",
    env: "SWITCHBOARD_CHAT_GRACE_MS",
    default: 60_000,
    allowed: "0–86400000",
    description: "A chat customer away this long (no WebSocket) is ABANDONED.",
    parse: int(0, 86_400_000),
  },
  {
    key: "wsMaxPayloadBytes",
    flag: "ws-max-payload-bytes",
    env: "SWITCHBOARD_WS_MAX_PAYLOAD_BYTES",
    default: 16 * 1024,
    allowed: "256–16777216",
    description: "Largest chat WebSocket frame; a bigger one closes the socket with 1009.",
    parse: int(256, 16 * 1024 * 1024),
  },
  {
    key: "wsMessagesPerMinute",
    flag: "ws-messages-per-minute",
    env: "SWITCHBOARD_WS_MESSAGES_PER_MINUTE",
    default: 120,
    allowed: "1–100000",
    description: "Chat frames a customer may send per minute; more get an error frame.",
    parse: int(1, 100_000),
  },
  {
    key: "publicUrl",
    flag: "public-url",
    env: "SWITCHBOARD_PUBLIC_URL",
    allowed: "http:// or https:// URL",
    description:
      "Base URL the voice provider calls (webhook signatures cover it; a proxy changes the host). Unset: taken from each request's Host.",
    parse: urls(["http:", "https:"]),
  },
  {
    key: "twilioAuthToken",
    flag: "twilio-auth-token",
    env: "SWITCHBOARD_TWILIO_AUTH_TOKEN",
    envAliases: ["TWILIO_AUTH_TOKEN"],
    allowed: "the provider account's auth token",
    description:
      "Verifies X-Twilio-Signature on voice webhooks. Unset: voice webhooks are refused.",
    parse: nonEmpty,
  },
  {
    key: "twilioAccountSid",
    flag: "twilio-account-sid",
    env: "SWITCHBOARD_TWILIO_ACCOUNT_SID",
    envAliases: ["TWILIO_ACCOUNT_SID"],
    allowed: "AC…",
    description: "Account for outbound callback calls through the provider's REST API.",
    parse: nonEmpty,
  },
  {
    key: "twilioApiUrl",
    flag: "twilio-api-url",
    env: "SWITCHBOARD_TWILIO_API_URL",
    default: "https://api.twilio.com",
    allowed: "http:// or https:// URL",
    description: "The voice provider's REST API base URL (tests point it at a local server).",
    parse: urls(["http:", "https:"]),
  },
  {
    key: "callbackThresholdSeconds",
    flag: "callback-threshold-seconds",
    env: "SWITCHBOARD_CALLBACK_THRESHOLD_SECONDS",
    default: 120,
    allowed: "0–86400",
    description: "Expected wait above which callers and kiosk customers are offered a callback.",
    parse: int(0, 86_400),
  },
  {
    key: "holdAnnounceSeconds",
    flag: "hold-announce-seconds",
    env: "SWITCHBOARD_HOLD_ANNOUNCE_SECONDS",
    default: 30,
    allowed: "5–600",
    description: "How often a caller on hold hears their position and expected wait.",
    parse: int(5, 600),
  },
  {
    key: "kioskHeartbeatTimeoutMs",
    flag: "kiosk-heartbeat-timeout-ms",
    env: "SWITCHBOARD_KIOSK_HEARTBEAT_TIMEOUT_MS",
    default: 30_000,
    allowed: "1000–3600000",
    description: "A kiosk silent this long is marked offline (metric and event).",
    parse: int(1000, 3_600_000),
  },
];
