import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGrpcClient, fieldViolationsOf } from "../../gateway/index.js";
import { Channel, ContactService } from "../../proto/index.js";
import { type ServerHandle, startNats, startRedis } from "../harness/index.js";
import { buildDist } from "./cli-process.js";
import { type Cluster, startCluster, takeovers, waitForLeader } from "./pipeline-cluster.js";
import { chatContact, SKILL } from "./pipeline-contacts.js";
import { expectGuaranteesHeld, runWorkload } from "./pipeline-workload.js";

// Issue #5's end-to-end tests: the built CLI in real processes, real gRPC clients over the
// network, and only what those clients can see is checked (plus GetContact at the end).
// Every test gets its own NATS and Redis: the CLI uses the default stream and key names.
let cluster: Cluster | undefined;
const servers: ServerHandle[] = [];
const cleanUp = async () => {
  await cluster?.stop();
  cluster = undefined;
  await Promise.all(servers.splice(0).map((s) => s.stop()));
};
afterEach(async ({ task }) => {
  if (cluster !== undefined && task.result?.state === "fail") await keepLogs(cluster);
  await cleanUp();
});
afterAll(cleanUp);

/** A failed test leaves its Switchboard processes' logs behind, and says where. */
async function keepLogs(c: Cluster) {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-e2e-"));
  const gateway = c.routers.includes(c.gateway) ? [] : [["gateway", c.gateway] as const];
  const all = [...gateway, ...c.routers.map((p, i) => [`router-${i}`, p] as const)];
  await Promise.all(all.map(([name, p]) => writeFile(join(dir, `${name}.log`), p.output())));
  console.error(`switchboard e2e: the failed test's process logs are in ${dir}`);
}

beforeAll(async () => {
  await buildDist();
}, 120_000);

async function realBackends() {
  const [nats, redis] = await Promise.all([startNats(), startRedis()]);
  servers.push(nats, redis);
  return { nats, redis, backends: { natsUrl: nats.url, redisUrl: redis.url } };
}

describe("pipeline end to end", () => {
  it("embedded `switchboard all`: 1,000 contacts, 50 agents, each contact completed exactly once", async () => {
    cluster = await startCluster({ split: false });
    const result = await runWorkload(cluster.address, {
      contacts: 1000,
      agents: 50,
      capacity: 2,
      watched: 20,
    });
    await expectGuaranteesHeld(cluster.address, result, 1000);
    expect(result.watchedCompletions.size).toBe(20);
  }, 90_000);

  it("`switchboard router` + `switchboard gateway` on NATS + Redis: 1,000 contacts, 50 agents, each completed exactly once", async () => {
    const { backends } = await realBackends();
    cluster = await startCluster({ split: true, backends });
    const result = await runWorkload(cluster.address, {
      contacts: 1000,
      agents: 50,
      capacity: 2,
      watched: 20,
    });
    await expectGuaranteesHeld(cluster.address, result, 1000);
    expect(result.watchedCompletions.size).toBe(20);
  }, 90_000);

  it("a duplicate submit returns the same contact; invalid ones get INVALID_ARGUMENT naming the field; the others are unaffected", async () => {
    cluster = await startCluster({ split: false });
    const address = cluster.address;
    const answers: { key: string; id: string | undefined; duplicate: boolean }[] = [];
    const refusals: { code: number; fields: string[] }[] = [];
    const result = await runWorkload(address, {
      contacts: 200,
      agents: 20,
      capacity: 2,
      fault: {
        afterAcked: 50,
        async run() {
          using client = createGrpcClient(ContactService, address, credentials.createInsecure());
          for (let i = 0; i < 20; i++) {
            const { contact, duplicate } = await client.submitContact({
              contact: chatContact(`c-${i}`),
            });
            answers.push({ key: `c-${i}`, id: contact?.id, duplicate });
          }
          const skills = [{ skill: SKILL, minProficiency: 2 }];
          const invalid = [
            {
              channel: Channel.CHAT,
              idempotencyKey: "bad-1",
              requiredSkills: skills,
              customer: { identifiers: { phone: "12345" } },
            },
            {
              channel: Channel.CHAT,
              idempotencyKey: "bad 2",
              requiredSkills: skills,
              customer: { identifiers: { webSessionId: "w-bad-2" } },
            },
            {
              channel: 42 as Channel,
              idempotencyKey: "bad-3",
              requiredSkills: skills,
              customer: { identifiers: { webSessionId: "w-bad-3" } },
            },
          ];
          for (const contact of invalid) {
            const err = (await client.submitContact({ contact }).then(
              () => undefined,
              (e: unknown) => e,
            )) as ServiceError | undefined;
            refusals.push({
              code: err?.code ?? status.OK,
              fields: err === undefined ? [] : fieldViolationsOf(err).map((v) => v.field),
            });
          }
        },
      },
    });
    await expectGuaranteesHeld(address, result, 200);
    for (const a of answers) {
      expect(a).toEqual({ key: a.key, id: result.submissions.acked.get(a.key), duplicate: true });
    }
    expect(refusals).toEqual([
      { code: status.INVALID_ARGUMENT, fields: ["contact.customer.identifiers.phone"] },
      { code: status.INVALID_ARGUMENT, fields: ["contact.idempotency_key"] },
      { code: status.INVALID_ARGUMENT, fields: ["contact.channel"] },
    ]);
  }, 60_000);

  it("two routers started for the same partition: one takes it, the other stands by; no double offers", async () => {
    const { backends } = await realBackends();
    cluster = await startCluster({ split: true, backends, routers: 2 });
    const result = await runWorkload(cluster.address, { contacts: 200, agents: 20, capacity: 2 });
    await expectGuaranteesHeld(cluster.address, result, 200);
    expect(cluster.routers.map(takeovers).sort()).toEqual([0, 1]);
  }, 60_000);

  // 200 contacts rather than 1,000 in the fault variants: the runs are dominated by the
  // takeover and reconnect times, and the whole file must stay within a few minutes.
  it("router kill -9 mid-run with a standby: nothing acknowledged lost, nothing offered twice, no agent over capacity", async () => {
    const { backends } = await realBackends();
    cluster = await startCluster({ split: true, backends, routers: 1 });
    const first = await waitForLeader(cluster);
    const standby = await cluster.startRouter();
    const c = cluster;
    const result = await runWorkload(cluster.address, {
      contacts: 200,
      agents: 20,
      capacity: 2,
      drainTimeoutMs: 90_000,
      fault: {
        afterAcked: 60,
        async run() {
          await c.kill(first);
          expect(await waitForLeader(c)).toBe(standby);
        },
      },
    });
    await expectGuaranteesHeld(cluster.address, result, 200);
    expect(takeovers(standby)).toBe(1);
  }, 150_000);

  it.each(["nats", "redis"] as const)(
    "%s restart mid-run: the processes recover by themselves and nothing acknowledged is lost",
    async (which) => {
      const real = await realBackends();
      cluster = await startCluster({ split: true, backends: real.backends, routers: 1 });
      const result = await runWorkload(cluster.address, {
        contacts: 200,
        agents: 20,
        capacity: 2,
        drainTimeoutMs: 90_000,
        fault: { afterAcked: 60, run: () => real[which].restart() },
      });
      await expectGuaranteesHeld(cluster.address, result, 200);
    },
    150_000,
  );
});
