import { decodeAgent, decodeQueue, decodeRoutingRule } from "../../core/index.js";
import { applyEffects } from "./apply-effects.js";
import { agentToProfile, buildRoutingConfig } from "./config-mapping.js";
import type { PartitionContext } from "./partition-context.js";

/**
 * Loads queues and rules from the store (where AdminService keeps proto-binary items) into the
 * engine. A config the engine refuses is logged and the previous one stays in force.
 */
export async function reloadRouting(ctx: PartitionContext): Promise<void> {
  const [queueItems, ruleItems] = await Promise.all([
    ctx.io(() => ctx.store.config.list("queue")),
    ctx.io(() => ctx.store.config.list("rule")),
  ]);
  try {
    const { routing, skippedRuleIds } = buildRoutingConfig(
      queueItems.map((i) => decodeQueue(i.data)),
      ruleItems.map((i) => decodeRoutingRule(i.data)),
    );
    if (skippedRuleIds.length > 0)
      ctx.logger.warn({ skippedRuleIds }, "rules point at missing queues; skipped");
    // Unchanged config is not re-applied: configure re-queues every waiting contact, and a
    // standby replaying after a takeover must not emit events its predecessor never did.
    if (JSON.stringify(ctx.state.engine.routing()) === JSON.stringify(routing)) return;
    await applyEffects(ctx, ctx.state.engine.configure({ nowMs: ctx.nowMs(), routing }));
    ctx.logger.info(
      { queues: routing.queues.length, rules: routing.rules.length },
      "routing configuration loaded",
    );
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "INVALID_ARGUMENT") {
      ctx.logger.error({ err: error }, "routing configuration refused; keeping the previous one");
      return;
    }
    throw error;
  }
}

/** Every stored agent's profile into the engine; engine agents no longer stored are removed. */
export async function reloadAgents(ctx: PartitionContext): Promise<void> {
  const items = await ctx.io(() => ctx.store.config.list("agent"));
  const stored = new Set<string>();
  for (const item of items) {
    stored.add(item.id);
    try {
      const profile = agentToProfile(decodeAgent(item.data));
      if (JSON.stringify(ctx.state.engine.getAgent(item.id)?.profile) === JSON.stringify(profile))
        continue;
      await applyEffects(ctx, ctx.state.engine.upsertAgent({ nowMs: ctx.nowMs(), agent: profile }));
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "INVALID_ARGUMENT"))
        throw error;
      ctx.logger.warn(
        { agentId: item.id, err: error },
        "stored agent refused by the engine; skipped",
      );
    }
  }
  for (const id of ctx.state.engine.agentIds()) {
    if (stored.has(id)) continue;
    try {
      await applyEffects(ctx, ctx.state.engine.removeAgent({ nowMs: ctx.nowMs(), agentId: id }));
    } catch (error) {
      ctx.logger.warn({ agentId: id, err: error }, "deleted agent still busy; kept for now");
    }
  }
}
