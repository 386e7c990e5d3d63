import { clone, create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Violations } from "../../core/index.js";
import {
  AGENT_STATES,
  type AgentStatus,
  agentCommandSubject,
  type ConfigItem,
  configSubject,
  decodeAgent,
  decodeQueue,
  decodeRoutingRule,
  ErrorCode,
  encodeAgent,
  encodeAgentCommand,
  encodeQueue,
  encodeRoutingConfigChanged,
  encodeRoutingRule,
  invalidArgument,
  msgIds,
  SwitchboardError,
  type TenantStore,
} from "../../core/index.js";
import {
  type AdminService,
  type Agent,
  AgentCommandSchema,
  AgentSchema,
  AgentState,
  type Queue,
  QueueSchema,
  RoutingConfigChangedSchema,
  type RoutingRule,
  RoutingRuleSchema,
} from "../../proto/index.js";
import { requirePrincipal } from "../auth/index.js";
import type { ServiceImpl } from "../grpc/adapter.js";
import { validateAgent, validateQueue, validateRule } from "./admin-validation.js";
import { deleteItem, paginate, putItem, requireItem } from "./config-items.js";
import type { ServiceContext } from "./service-context.js";

// Store names ("AVAILABLE") ↔ proto enum values, in declaration order on both sides.
const STATE_OF = new Map(AGENT_STATES.map((name) => [name, AgentState[name]]));

function withState(agent: Agent, status: AgentStatus | undefined): Agent {
  agent.state = STATE_OF.get(status?.state ?? "OFFLINE") ?? AgentState.OFFLINE;
  if (status !== undefined && status.sinceMs > 0) agent.stateTime = timestampFromMs(status.sinceMs);
  return agent;
}

/** `value` once its validation found nothing (validators report a missing value too). */
function validated<T>(value: T | undefined, violations: Violations): T {
  if (value === undefined || violations.length > 0) throw invalidArgument(violations);
  return value;
}

function requireArg(field: string, value: string): void {
  if (value === "") throw invalidArgument([{ field, description: "required" }]);
}

/** Stored bytes never carry version or router-owned state: those come from the store. */
function forStorage<T extends Agent | Queue | RoutingRule>(message: T, tenant: string): T {
  message.tenant = tenant;
  message.version = 0n;
  return message;
}

const decodeWithVersion =
  <T extends Agent | Queue | RoutingRule>(decode: (b: Uint8Array) => T) =>
  (item: ConfigItem): T => {
    const message = decode(item.data);
    message.version = BigInt(item.revision);
    return message;
  };
const agentOf = decodeWithVersion(decodeAgent);
const queueOf = decodeWithVersion(decodeQueue);
const ruleOf = decodeWithVersion(decodeRoutingRule);
// Rules list in evaluation order; int32 order shifted to a sortable, fixed-width string.
const ruleKey = (r: RoutingRule) => `${String(r.order + 2 ** 31).padStart(10, "0")}:${r.id}`;

/**
 * AdminService: agents, queues and routing rules of the caller's tenant, stored as proto
 * binary in the store's config with its revision as the version. Every change takes effect
 * without a restart: agents through AgentProfileChanged on the bus (ordered with that agent's
 * other commands), queues and rules through a RoutingConfigChanged notification after which
 * the router reloads its configuration from the store.
 */
export function createAdminService(ctx: ServiceContext): ServiceImpl<typeof AdminService> {
  const storeOf = (call: object): { tenant: string; store: TenantStore } => {
    const { tenant } = requirePrincipal(call);
    return { tenant, store: ctx.store.forTenant(tenant) };
  };

  const profileChanged = async (tenant: string, agent: Agent, deleted: boolean) => {
    const requestId = ctx.ids.next();
    const command = create(AgentCommandSchema, {
      agentId: agent.id,
      requestId,
      time: ctx.commandTime(),
      command: { case: "profileChanged", value: { agent, deleted } },
    });
    await ctx.bus.publish(
      agentCommandSubject(ctx.bus.subjects, tenant, agent.id),
      encodeAgentCommand(command),
      { msgId: msgIds.agentCommand(tenant, agent.id, requestId) },
    );
  };
  const routingChanged = (tenant: string) =>
    ctx.bus.notify(
      configSubject(ctx.bus.subjects, tenant),
      encodeRoutingConfigChanged(create(RoutingConfigChangedSchema)),
    );

  const requireQueue = async (store: TenantStore, field: string, queueId: string) => {
    if (queueId !== "" && (await store.config.get("queue", queueId)) === undefined) {
      throw invalidArgument([{ field, description: `queue ${queueId} does not exist` }]);
    }
  };

  return {
    async putAgent(call) {
      const { tenant, store } = storeOf(call);
      const input = validated(call.request.agent, validateAgent(call.request.agent, tenant));
      const agent = forStorage(clone(AgentSchema, input), tenant);
      const version = input.version;
      agent.state = AgentState.UNSPECIFIED;
      delete agent.stateTime;
      const { revision, created } = await putItem(
        store,
        "agent",
        agent.id,
        encodeAgent(agent),
        version,
      );
      agent.version = BigInt(revision);
      await profileChanged(tenant, agent, false);
      return { agent: withState(agent, await store.agents.get(agent.id)), created };
    },
    async getAgent(call) {
      const { store } = storeOf(call);
      requireArg("agent_id", call.request.agentId);
      const agent = agentOf(await requireItem(store, "agent", call.request.agentId));
      return { agent: withState(agent, await store.agents.get(agent.id)) };
    },
    async listAgents(call) {
      const { store } = storeOf(call);
      const { team, pageSize, pageToken } = call.request;
      const [items, states] = await Promise.all([store.config.list("agent"), store.agents.list()]);
      const byId = new Map(states.map((s) => [s.agentId, s]));
      const agents = items
        .map(agentOf)
        .filter((a) => team === "" || a.team === team || a.extraTeams.includes(team));
      const { page, nextPageToken } = paginate(agents, (a) => a.id, pageSize, pageToken);
      return { agents: page.map((a) => withState(a, byId.get(a.id))), nextPageToken };
    },
    async deleteAgent(call) {
      const { tenant, store } = storeOf(call);
      requireArg("agent_id", call.request.agentId);
      const agent = agentOf(await requireItem(store, "agent", call.request.agentId));
      await deleteItem(store, "agent", agent.id);
      await profileChanged(tenant, agent, true);
      return {};
    },

    async putQueue(call) {
      const { tenant, store } = storeOf(call);
      const input = validated(call.request.queue, validateQueue(call.request.queue, tenant));
      const queue = forStorage(clone(QueueSchema, input), tenant);
      for (const [i, step] of queue.escalationSteps.entries()) {
        await requireQueue(
          store,
          `queue.escalation_steps[${i}].overflow_queue_id`,
          step.overflowQueueId,
        );
      }
      const { revision, created } = await putItem(
        store,
        "queue",
        queue.id,
        encodeQueue(queue),
        input.version,
      );
      queue.version = BigInt(revision);
      routingChanged(tenant);
      return { queue, created };
    },
    async getQueue(call) {
      const { store } = storeOf(call);
      requireArg("queue_id", call.request.queueId);
      return { queue: queueOf(await requireItem(store, "queue", call.request.queueId)) };
    },
    async listQueues(call) {
      const { store } = storeOf(call);
      const queues = (await store.config.list("queue")).map(queueOf);
      const { page, nextPageToken } = paginate(
        queues,
        (q) => q.id,
        call.request.pageSize,
        call.request.pageToken,
      );
      return { queues: page, nextPageToken };
    },
    async deleteQueue(call) {
      const { tenant, store } = storeOf(call);
      const { queueId } = call.request;
      requireArg("queue_id", queueId);
      const users = [
        ...(await store.config.list("rule"))
          .map(ruleOf)
          .filter((r) => r.queueId === queueId)
          .map((r) => `rule ${r.id}`),
        ...(await store.config.list("queue"))
          .map(queueOf)
          .filter((q) => q.escalationSteps.some((s) => s.overflowQueueId === queueId))
          .map((q) => `queue ${q.id}`),
      ];
      if (users.length > 0) {
        throw new SwitchboardError(
          ErrorCode.FailedPrecondition,
          `queue ${queueId} is still used by ${users.join(", ")}`,
        );
      }
      await deleteItem(store, "queue", queueId);
      routingChanged(tenant);
      return {};
    },

    async putRoutingRule(call) {
      const { tenant, store } = storeOf(call);
      const input = validated(call.request.rule, validateRule(call.request.rule, tenant));
      const rule = forStorage(clone(RoutingRuleSchema, input), tenant);
      await requireQueue(store, "rule.queue_id", rule.queueId);
      const { revision, created } = await putItem(
        store,
        "rule",
        rule.id,
        encodeRoutingRule(rule),
        input.version,
      );
      rule.version = BigInt(revision);
      routingChanged(tenant);
      return { rule, created };
    },
    async getRoutingRule(call) {
      const { store } = storeOf(call);
      requireArg("rule_id", call.request.ruleId);
      return { rule: ruleOf(await requireItem(store, "rule", call.request.ruleId)) };
    },
    async listRoutingRules(call) {
      const { store } = storeOf(call);
      const rules = (await store.config.list("rule"))
        .map(ruleOf)
        .sort((a, b) => (ruleKey(a) < ruleKey(b) ? -1 : 1));
      const { page, nextPageToken } = paginate(
        rules,
        ruleKey,
        call.request.pageSize,
        call.request.pageToken,
      );
      return { rules: page, nextPageToken };
    },
    async deleteRoutingRule(call) {
      const { tenant, store } = storeOf(call);
      requireArg("rule_id", call.request.ruleId);
      await deleteItem(store, "rule", call.request.ruleId);
      routingChanged(tenant);
      return {};
    },
  };
}
