// The email channel adapter: inbound SMTP → contacts and customer messages, outbound
// acknowledgements and agent replies (README.md).
import type { AdapterFactory } from "../../gateway/index.js";
import { loadEmailSettings } from "./email-config.js";
import { createEmailMetrics } from "./email-metrics.js";
import { startOutbound } from "./outbound.js";
import { startInboundServer } from "./smtp-inbound.js";
import { createThreadStore, type ThreadStore } from "./thread-store.js";

export { type EmailSettings, loadEmailSettings } from "./email-config.js";
export { type ParsedEmail, parseEmail } from "./parse-email.js";
export { referenceOf } from "./reference.js";

/** Starts the email adapter: the outbound consumers first, then the SMTP listener. */
export const startEmailAdapter: AdapterFactory = async (ctx) => {
  const settings = loadEmailSettings(ctx.config);
  const logger = ctx.logger.child({ component: "email-adapter" });
  const metrics = createEmailMetrics(ctx.metrics);
  const stores = new Map<string, ThreadStore>();
  const threads = (tenant: string): ThreadStore => {
    let store = stores.get(tenant);
    if (store === undefined) {
      store = createThreadStore(ctx.store.forTenant(tenant).channelState, settings.threadTtlMs);
      stores.set(tenant, store);
    }
    return store;
  };
  const outbound = await startOutbound(ctx, settings, metrics, logger, threads);
  const inbound = await startInboundServer(ctx, settings, metrics, logger, {
    ctx,
    logger,
    metrics,
    threads,
  }).catch(async (err: unknown) => {
    await outbound.stop();
    throw err;
  });
  return {
    name: "email",
    async stop() {
      await inbound.stop();
      await outbound.stop();
    },
  };
};
