import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startNats, startRedis } from "../harness/index.js";
import { buildDist } from "./cli-process.js";
import { type Cluster, startCluster } from "./pipeline-cluster.js";
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
afterEach(cleanUp);
afterAll(cleanUp);

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
});
