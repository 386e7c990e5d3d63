import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createLogger,
  createManualClock,
  createMemoryStore,
  SwitchboardError,
} from "../../core/index.js";
import { AdminService, Channel, ContactService } from "../../proto/index.js";
import { startTestGateway, type TestGateway } from "../gateway-test-kit.js";
import { fieldViolationsOf } from "../status.js";
import { createAuthenticator, parseTokensFile, sha256Hex } from "./index.js";

const tokens = {
  "acme-platform-token-1": { tenant: "acme", role: "platform" },
  "acme-admin-token-0001": { tenant: "acme", role: "admin" },
  "acme-agent-anna-token": { tenant: "acme", role: "agent", agentId: "anna" },
  "globex-platform-tok1": { tenant: "globex", role: "platform" },
} as const;

const dir = mkdtempSync(join(tmpdir(), "sb-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const contact = (key: string) => ({
  channel: Channel.CHAT,
  idempotencyKey: key,
  customer: { identifiers: { webSessionId: "w-1" } },
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => status.OK,
    (e: ServiceError) => e.code,
  );

describe("gateway auth", () => {
  it("UNAUTHENTICATED without a token or with an unknown one; PERMISSION_DENIED by role", async () => {
    gw = await startTestGateway({ tokens });
    expect(await codeOf(gw.client(ContactService).getContact({ contactId: "x" }))).toBe(
      status.UNAUTHENTICATED,
    );
    expect(
      await codeOf(gw.client(ContactService, "not-a-token").getContact({ contactId: "x" })),
    ).toBe(status.UNAUTHENTICATED);
    const agent = gw.client(ContactService, "acme-agent-anna-token");
    expect(await codeOf(agent.submitContact({ contact: contact("k") }))).toBe(
      status.PERMISSION_DENIED,
    );
    const platformAdmin = gw.client(AdminService, "acme-platform-token-1");
    expect(await codeOf(platformAdmin.listAgents({}))).toBe(status.PERMISSION_DENIED);
    // Admin may call everything.
    const admin = gw.client(ContactService, "acme-admin-token-0001");
    expect(await codeOf(admin.submitContact({ contact: contact("k-admin") }))).toBe(status.OK);
    expect(await codeOf(gw.client(AdminService, "acme-admin-token-0001").listAgents({}))).toBe(
      status.OK,
    );
  });

  it("a tenant never sees another tenant's contacts, even with the same idempotency key", async () => {
    gw = await startTestGateway({ tokens });
    const acme = gw.client(ContactService, "acme-platform-token-1");
    const globex = gw.client(ContactService, "globex-platform-tok1");
    const mine = await acme.submitContact({ contact: contact("same-key") });
    const theirs = await globex.submitContact({ contact: contact("same-key") });
    expect(theirs.duplicate).toBe(false);
    expect(theirs.contact?.tenant).toBe("globex");
    expect(await codeOf(globex.getContact({ contactId: mine.contact!.id }))).toBe(status.NOT_FOUND);
    const spoof = await globex
      .submitContact({ contact: { ...contact("k-spoof"), tenant: "acme" } })
      .catch((e: ServiceError) => e);
    expect(fieldViolationsOf(spoof as ServiceError).map((v) => v.field)).toEqual([
      "contact.tenant",
    ]);
  });

  it("runs open (tenant default) while no token exists at all", async () => {
    gw = await startTestGateway();
    const anyone = gw.client(ContactService);
    const { contact: c } = await anyone.submitContact({ contact: contact("k-open") });
    expect(c?.tenant).toBe("default");
    expect(await codeOf(gw.client(AdminService, "whatever").listQueues({}))).toBe(status.OK);
  });

  it("seeds --tokens-file at start, storing only hashes", async () => {
    const file = join(dir, "tokens.yaml");
    writeFileSync(
      file,
      [
        "tenants:",
        "  acme:",
        "    - { token: file-platform-token-1, role: platform }",
        "    - { token: file-agent-token-anna, role: agent, agentId: anna }",
      ].join("\n"),
    );
    const store = createMemoryStore();
    gw = await startTestGateway({ store, argv: ["--tokens-file", file] });
    expect(await store.tokens.get(sha256Hex("file-platform-token-1"))).toEqual({
      tenant: "acme",
      role: "platform",
    });
    expect(await store.tokens.count()).toBe(2);
    const platform = gw.client(ContactService, "file-platform-token-1");
    expect(await codeOf(platform.submitContact({ contact: contact("k-file") }))).toBe(status.OK);
    expect(await codeOf(gw.client(ContactService).getContact({ contactId: "x" }))).toBe(
      status.UNAUTHENTICATED,
    );
  });

  it("a bad tokens file names every problem without echoing tokens, and the gateway does not start", async () => {
    let error: unknown;
    try {
      parseTokensFile(
        "tenants:\n  acme:\n    - { token: short, role: root }\n    - { token: long-enough-token-1, role: agent }\n",
        "t.yaml",
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).violations.map((v) => v.field)).toEqual([
      "tenants.acme[0].token",
      "tenants.acme[0].role",
      "tenants.acme[1].agentId",
    ]);
    expect((error as Error).message).not.toContain("long-enough-token-1");
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "tenants: [1, 2]");
    await expect(startTestGateway({ argv: ["--tokens-file", file] })).rejects.toThrow(
      /bad.yaml: tenants: must map tenant ids/,
    );
  });
});

describe("grant cache", () => {
  it("remembers a grant for grantCacheMs; a revoked token stops working once it ran out", async () => {
    const clock = createManualClock(1_000_000);
    const store = createMemoryStore({ clock });
    const hash = sha256Hex("cached-platform-token");
    await store.tokens.put(hash, { tenant: "acme", role: "platform" });
    // Another token stays, so revoking this one does not put the gateway in open mode.
    await store.tokens.put(sha256Hex("other-admin-token-001"), { tenant: "acme", role: "admin" });
    let lookups = 0;
    const counting = {
      ...store,
      tokens: {
        ...store.tokens,
        get: (h: string) => {
          lookups += 1;
          return store.tokens.get(h);
        },
      },
    };
    const auth = createAuthenticator({
      store: counting,
      logger: createLogger({ level: "silent" }),
      clock,
      grantCacheMs: 5000,
    });
    expect(await auth.fromToken("cached-platform-token")).toMatchObject({ tenant: "acme" });
    expect(await auth.fromToken("cached-platform-token")).toMatchObject({ role: "platform" });
    expect(lookups).toBe(1);
    await store.tokens.delete(hash);
    clock.advance(4999);
    expect(await auth.fromToken("cached-platform-token")).toMatchObject({ tenant: "acme" });
    clock.advance(2);
    const revoked = await auth.fromToken("cached-platform-token").catch((e: unknown) => e);
    expect((revoked as SwitchboardError).code).toBe("UNAUTHENTICATED");
    // Unknown tokens are never cached: each attempt asks the store.
    await auth.fromToken("cached-platform-token").catch(() => {});
    expect(lookups).toBe(3);
  });
});
