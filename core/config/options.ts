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
];
