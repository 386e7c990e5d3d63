import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import { loadConfig } from "./load-config.js";

const load = (
  argv: string[],
  env: Record<string, string> = {},
  files: Record<string, string> = {},
) =>
  loadConfig({
    argv,
    env,
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error(`ENOENT: no such file ${p}`);
      return f;
    },
  });

const errorOf = (fn: () => unknown): SwitchboardError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwitchboardError) return err;
    throw err;
  }
  throw new Error("expected an error");
};

describe("loadConfig", () => {
  it("uses defaults with no input", () => {
    const c = load([]);
    expect(c).toMatchObject({
      role: "all",
      grpcPort: 50051,
      httpPort: 8080,
      smtpPort: 2525,
      logLevel: "info",
    });
    expect(c.natsUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("layers defaults, file, environment, then flags", () => {
    const files = { "/c.yaml": "grpc-port: 6000\nhttp-port: 6001\nsmtp-port: 6002\n" };
    const env = { SWITCHBOARD_HTTP_PORT: "7001", SWITCHBOARD_SMTP_PORT: "7002" };
    const c = load(["--config", "/c.yaml", "--smtp-port", "8002"], env, files);
    expect(c).toMatchObject({ grpcPort: 6000, httpPort: 7001, smtpPort: 8002 });
  });

  it("reads JSON config files too", () => {
    const c = load(
      ["--config=/c.json"],
      {},
      { "/c.json": '{"grpc-port": 7000, "log-level": "debug"}' },
    );
    expect(c).toMatchObject({ grpcPort: 7000, logLevel: "debug" });
  });

  it("honours NATS_URL and REDIS_URL, the SWITCHBOARD_ names first", () => {
    const c = load([], {
      NATS_URL: "nats://a:4222",
      REDIS_URL: "redis://b:6379",
      SWITCHBOARD_NATS_URL: "nats://c:4222",
    });
    expect(c.natsUrl).toBe("nats://c:4222");
    expect(c.redisUrl).toBe("redis://b:6379");
  });

  it("accepts a NATS cluster list", () => {
    expect(load(["--nats-url", "nats://a:4222,nats://b:4222"]).natsUrl).toBe(
      "nats://a:4222,nats://b:4222",
    );
  });

  it("parses the tenant list", () => {
    expect(load([]).tenants).toEqual(["default"]);
    expect(load(["--tenants", "acme, globex,acme"]).tenants).toEqual(["acme", "globex"]);
    expect(errorOf(() => load(["--tenants", "a.b"])).message).toMatch(/invalid tenant id "a.b"/);
  });

  it("parses roles and adapter channels", () => {
    expect(load(["gateway"]).role).toBe("gateway");
    expect(load(["adapter", "email"])).toMatchObject({ role: "adapter", adapter: "email" });
  });

  it.each([
    [["--grpc-port", "70000"], /--grpc-port "70000" must be an integer from 1 to 65535/],
    [["--http-port", "80x"], /--http-port "80x" must be an integer/],
    [["wizard"], /unknown role "wizard"; expected one of all, gateway/],
    [["adapter", "fax"], /role "adapter" needs one of email, web, phone, kiosk, not "fax"/],
    [["--nats-url", "nats//nope"], /--nats-url "nats\/\/nope" is not a URL/],
    [["--nats-url", "http://x:4222"], /must be a nats: or tls: or ws: or wss:\/\/host/],
    [["--redis-url", "nats://x"], /--redis-url .* must be a redis: or rediss:/],
    [["--log-level", "loud"], /--log-level "loud" must be one of fatal, error/],
    [["--grpc-prot", "1"], /Unknown option '--grpc-prot'/],
    [["--grpc-port", "9000", "--http-port", "9000"], /--http-port must differ from --grpc-port/],
    [["gateway", "extra"], /unexpected extra/],
    [["--tls-cert-file", "/c.pem"], /--tls-cert-file and --tls-key-file must be set together/],
    [["--tls-client-ca-file", "/ca.pem"], /--tls-client-ca-file needs --tls-cert-file/],
  ])("rejects %j naming the problem", (argv, message) => {
    const err = errorOf(() => load(argv));
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toMatch(message);
  });

  it("names the environment variable that was wrong", () => {
    const err = errorOf(() => load([], { SWITCHBOARD_GRPC_PORT: "0" }));
    expect(err.message).toMatch(/SWITCHBOARD_GRPC_PORT "0" must be an integer from 1 to 65535/);
  });

  it("reports every problem at once", () => {
    const err = errorOf(() => load(["--grpc-port", "0", "--smtp-port=-1"]));
    expect(err.violations.map((v) => v.field)).toEqual(["--grpc-port", "--smtp-port"]);
  });

  it("rejects unknown keys, bad values and unreadable config files", () => {
    expect(
      errorOf(() => load(["--config", "/c.yaml"], {}, { "/c.yaml": "grpc-prot: 1" })).message,
    ).toMatch(/grpc-prot in \/c.yaml is not a setting/);
    expect(
      errorOf(() => load(["--config", "/c.yaml"], {}, { "/c.yaml": "grpc-port: 99999" })).message,
    ).toMatch(/grpc-port in \/c.yaml "99999" must be an integer/);
    expect(errorOf(() => load(["--config", "/missing.yaml"])).message).toMatch(
      /cannot read \/missing.yaml/,
    );
    expect(
      errorOf(() => load(["--config", "/c.yaml"], {}, { "/c.yaml": "- a\n- b" })).message,
    ).toMatch(/mapping/);
  });
});
