import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, loadConfig } from "../core/index.js";
import { Health, HealthCheckResponse_ServingStatus } from "../proto/index.js";
import { type Gateway, startGateway } from "./gateway.js";
import { createGrpcClient } from "./grpc/adapter.js";

// Real certificates from openssl: a CA, a server certificate for 127.0.0.1, a client certificate.
let dir: string;
const pem = (name: string) => readFileSync(join(dir, name));

function openssl(...args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "switchboard-tls-"));
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const who of ["server", "client"]) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${who}`,
      "-keyout",
      `${who}.key`,
      "-out",
      `${who}.csr`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${who}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "san.ext",
      "-out",
      `${who}.pem`,
    );
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(extra: string[]): Promise<Gateway> {
  const config = loadConfig({
    argv: ["--host", "127.0.0.1", "--grpc-port", "1", "--http-port", "2", ...extra],
    env: {},
  });
  // Port 0 picks free ports; the config validator rightly refuses 0 from users.
  return startGateway({
    config: { ...config, grpcPort: 0, httpPort: 0 },
    logger: createLogger({ level: "silent" }),
    checks: [],
  });
}

const serving = async (address: string, creds: ReturnType<typeof credentials.createSsl>) => {
  using health = createGrpcClient(Health, address, creds, { defaultTimeoutMs: 3000 });
  return (await health.check({})).status === HealthCheckResponse_ServingStatus.SERVING;
};

describe("gRPC TLS", () => {
  it("serves TLS with --tls-cert-file/--tls-key-file and refuses plaintext clients", async () => {
    const gateway = await start([
      "--tls-cert-file",
      join(dir, "server.pem"),
      "--tls-key-file",
      join(dir, "server.key"),
    ]);
    const address = `127.0.0.1:${gateway.grpcPort}`;
    expect(await serving(address, credentials.createSsl(pem("ca.pem")))).toBe(true);
    await expect(serving(address, credentials.createInsecure())).rejects.toMatchObject({
      code: 14,
    });
    await gateway.stop();
  });

  it("requires a client certificate signed by --tls-client-ca-file (mTLS)", async () => {
    const gateway = await start([
      "--tls-cert-file",
      join(dir, "server.pem"),
      "--tls-key-file",
      join(dir, "server.key"),
      "--tls-client-ca-file",
      join(dir, "ca.pem"),
    ]);
    const address = `127.0.0.1:${gateway.grpcPort}`;
    await expect(serving(address, credentials.createSsl(pem("ca.pem")))).rejects.toMatchObject({
      code: 14,
    });
    expect(
      await serving(
        address,
        credentials.createSsl(pem("ca.pem"), pem("client.key"), pem("client.pem")),
      ),
    ).toBe(true);
    await gateway.stop();
  });

  it("stops start-up naming the flag when a file is missing or not PEM", async () => {
    await expect(
      start(["--tls-cert-file", join(dir, "nope.pem"), "--tls-key-file", join(dir, "server.key")]),
    ).rejects.toThrow(/cannot read --tls-cert-file .*nope\.pem/);
    await expect(
      start(["--tls-cert-file", join(dir, "san.ext"), "--tls-key-file", join(dir, "server.key")]),
    ).rejects.toThrow(/--tls-cert-file .*san\.ext is not a PEM file/);
  });
});
