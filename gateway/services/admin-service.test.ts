import { type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type BusMessage,
  configSubject,
  decodeAgentCommand,
  pipelineFilters,
} from "../../core/index.js";
import { AdminService, AgentState, Channel } from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { startTestGateway, type TestGateway } from "../gateway-test-kit.js";
import { fieldViolationsOf } from "../status.js";

const ADMIN = "acme-admin-token-0001";
const OTHER = "globex-admin-token-01";
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function start() {
  gw = await startTestGateway({
    tokens: {
      [ADMIN]: { tenant: "acme", role: "admin" },
      [OTHER]: { tenant: "globex", role: "admin" },
    },
  });
  return { gw, admin: gw.client(AdminService, ADMIN) };
}

const anna = {
  id: "anna",
  displayName: "Anna",
  skills: [{ skill: "billing", proficiency: 4 }],
  complexityTier: 3,
  languages: ["en", "nl-BE"],
  channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: 3 }],
  team: "billing-emea",
};
const violationsOf = (p: Promise<unknown>) =>
  p.then(
    () => [],
    (e: ServiceError) => {
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      return fieldViolationsOf(e).map((v) => v.field);
    },
  );
const until = (condition: () => boolean) => waitUntil("the expected messages", condition, 2000);

describe("AdminService over gRPC (memory backends)", () => {
  it("agents: create, read with live state, update with version, conflicts, list, delete", async () => {
    const { gw, admin } = await start();
    const commands: BusMessage[] = [];
    await gw.bus.consume(
      { filterSubjects: [pipelineFilters.agentCommands(gw.bus.subjects)] },
      async (m) => {
        commands.push(m);
      },
    );
    const created = await admin.putAgent({ agent: anna });
    expect(created.created).toBe(true);
    const v1 = created.agent!.version;
    expect(v1).toBeGreaterThan(0n);
    expect(created.agent).toMatchObject({ tenant: "acme", state: AgentState.OFFLINE });
    await gw.store.forTenant("acme").agents.setState("anna", "AVAILABLE", 1_700_000_000_000);
    const got = await admin.getAgent({ agentId: "anna" });
    expect(got.agent).toMatchObject({
      displayName: "Anna",
      state: AgentState.AVAILABLE,
      version: v1,
    });

    const updated = await admin.putAgent({
      agent: { ...anna, displayName: "Anna B", version: v1 },
    });
    expect(updated.created).toBe(false);
    const stale = await admin
      .putAgent({ agent: { ...anna, version: v1 } })
      .catch((e: ServiceError) => e);
    expect((stale as ServiceError).code).toBe(status.FAILED_PRECONDITION);
    // Version 0 overwrites unconditionally.
    expect(
      (await admin.putAgent({ agent: { ...anna, complexityTier: 5 } })).agent?.complexityTier,
    ).toBe(5);

    await admin.putAgent({ agent: { ...anna, id: "bob", team: "claims" } });
    await admin.putAgent({ agent: { ...anna, id: "carl", team: "x", extraTeams: ["claims"] } });
    const page1 = await admin.listAgents({ pageSize: 2 });
    expect(page1.agents.map((a) => a.id)).toEqual(["anna", "bob"]);
    const page2 = await admin.listAgents({ pageSize: 2, pageToken: page1.nextPageToken });
    expect(page2.agents.map((a) => a.id)).toEqual(["carl"]);
    expect(page2.nextPageToken).toBe("");
    expect((await admin.listAgents({ team: "claims" })).agents.map((a) => a.id)).toEqual([
      "bob",
      "carl",
    ]);

    await admin.deleteAgent({ agentId: "bob" });
    await expect(admin.getAgent({ agentId: "bob" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(admin.deleteAgent({ agentId: "bob" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    // Another tenant sees none of it.
    expect((await gw.client(AdminService, OTHER).listAgents({})).agents).toEqual([]);

    // Every change reached the router as a profile_changed command on the agent's subject.
    await until(() => commands.length === 6);
    const last = decodeAgentCommand(commands.at(-1)!.data);
    expect(commands.at(-1)?.subject).toBe(`${gw.bus.subjects.root}.agent.acme.bob.command`);
    expect(last.command.case).toBe("profileChanged");
    expect(last.command.value).toMatchObject({ deleted: true, agent: { id: "bob" } });
  });

  it("refuses invalid agents, queues and rules with every field violation", async () => {
    const { admin } = await start();
    expect(
      await violationsOf(
        admin.putAgent({
          agent: {
            id: "bad id",
            skills: [{ skill: "billing", proficiency: 9 }],
            complexityTier: 6,
            channelCapacities: [{ channel: Channel.UNSPECIFIED, maxConcurrent: 0 }],
            schedule: {
              timeZone: "Mars/Olympus",
              shifts: [{ dayOfWeek: 8, startMinute: 600, endMinute: 500 }],
            },
          },
        }),
      ),
    ).toEqual([
      "agent.id",
      "agent.skills[0].proficiency",
      "agent.complexity_tier",
      "agent.channel_capacities[0].channel",
      "agent.channel_capacities[0].max_concurrent",
      "agent.schedule.time_zone",
      "agent.schedule.shifts[0].day_of_week",
      "agent.schedule.shifts[0].end_minute",
    ]);
    expect(
      await violationsOf(
        admin.putQueue({
          queue: {
            id: "q1",
            serviceLevel: { percent: 0 },
            offerTimeout: { seconds: 1n },
            escalationSteps: [
              { after: { seconds: 30n }, lowerMinProficiencyBy: 1 },
              { after: { seconds: 20n }, overflowQueueId: "q1" },
            ],
          },
        }),
      ),
    ).toEqual([
      "queue.service_level.percent",
      "queue.offer_timeout",
      "queue.escalation_steps[1].after",
      "queue.escalation_steps[1].overflow_queue_id",
    ]);
    expect(
      await violationsOf(admin.putRoutingRule({ rule: { id: "r1", queueId: "missing" } })),
    ).toEqual(["rule.queue_id"]);
    expect(await violationsOf(admin.putAgent({}))).toEqual(["agent"]);
  });

  it("queues and rules with escalation steps: CRUD, evaluation order, references, change notifications", async () => {
    const { gw, admin } = await start();
    const notified: string[] = [];
    await gw.bus.subscribe(configSubject(gw.bus.subjects, "acme"), (n) => {
      notified.push(n.subject);
    });
    await admin.putQueue({ queue: { id: "overflow", name: "Overflow" } });
    const q = await admin.putQueue({
      queue: {
        id: "billing",
        serviceLevel: { percent: 80, threshold: { seconds: 20n } },
        escalationSteps: [
          { after: { seconds: 30n }, lowerMinProficiencyBy: 1 },
          { after: { seconds: 120n }, overflowQueueId: "overflow", allTeams: true },
        ],
      },
    });
    expect(q.created).toBe(true);
    expect((await admin.getQueue({ queueId: "billing" })).queue?.escalationSteps).toHaveLength(2);
    await admin.putRoutingRule({ rule: { id: "vip", order: 1, queueId: "billing" } });
    await admin.putRoutingRule({ rule: { id: "catch-all", order: 100, queueId: "overflow" } });
    await admin.putRoutingRule({ rule: { id: "a-first", order: -5, queueId: "billing" } });
    expect((await admin.listRoutingRules({})).rules.map((r) => r.id)).toEqual([
      "a-first",
      "vip",
      "catch-all",
    ]);
    const page = await admin.listRoutingRules({ pageSize: 1 });
    const next = await admin.listRoutingRules({ pageSize: 5, pageToken: page.nextPageToken });
    expect(next.rules.map((r) => r.id)).toEqual(["vip", "catch-all"]);
    await expect(admin.listRoutingRules({ pageToken: "garbage!" })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });

    const inUse = await admin.deleteQueue({ queueId: "overflow" }).catch((e: ServiceError) => e);
    expect((inUse as ServiceError).code).toBe(status.FAILED_PRECONDITION);
    expect((inUse as ServiceError).details).toMatch(/rule catch-all, queue billing/);
    await admin.deleteRoutingRule({ ruleId: "catch-all" });
    const stale = await admin
      .putQueue({ queue: { id: "billing", version: q.queue!.version + 100n } })
      .catch((e: ServiceError) => e);
    expect((stale as ServiceError).code).toBe(status.FAILED_PRECONDITION);
    await until(() => notified.length === 6);
    expect(notified.every((s) => s === `${gw.bus.subjects.root}.config.acme`)).toBe(true);
  });
});
