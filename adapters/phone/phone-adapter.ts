import { type Consumer, type Subscription, subscribePositions } from "../../core/index.js";
import type { AdapterContext, RunningAdapter } from "../../gateway/index.js";
import { Channel } from "../../proto/index.js";
import { createCallFlow } from "./call-flow.js";
import { consumeContactEvents } from "./contact-events.js";
import { loadPhoneConfig } from "./phone-config.js";
import { createPhoneMetrics } from "./phone-metrics.js";
import { createPositionBook } from "./position-book.js";
import { createTwilioProvider } from "./twilio/twilio-provider.js";
import type { VoiceProvider } from "./voice-provider.js";
import { createWebhookRoutes } from "./webhook-routes.js";

export interface PhoneAdapterOptions {
  /** Another provider than Twilio (see README "Adding a provider"). Default: Twilio from config. */
  readonly provider?: VoiceProvider;
  /** Waits between provider API attempts on 5xx/network errors. Default [250, 1000, 3000]. */
  readonly apiRetryDelaysMs?: readonly number[];
  /** Largest webhook body. Default 65 536. */
  readonly maxBodyBytes?: number;
}

/** `ADAPTER_FACTORIES.phone`: Twilio voice webhooks on the gateway's HTTP port. */
export const startPhoneAdapter = (ctx: AdapterContext) => createPhoneAdapter(ctx, {});

/**
 * The phone adapter: signed voice webhooks (IVR → VOICE contact, hold loop with position and
 * expected wait, callback offer), contact events back to the provider (live-call redirect to
 * the accepting agent, outbound callback calls), status bookkeeping (abandon, outcomes).
 */
export async function createPhoneAdapter(
  ctx: AdapterContext,
  options: PhoneAdapterOptions,
): Promise<RunningAdapter> {
  const logger = ctx.logger.child({ component: "phone" });
  const config = loadPhoneConfig(ctx.config);
  const metrics = createPhoneMetrics(ctx.metrics);
  const positions = createPositionBook();
  const token = ctx.config.twilioAuthToken;
  const provider =
    options.provider ??
    (token === undefined
      ? undefined
      : createTwilioProvider({
          authToken: token,
          ...(ctx.config.twilioAccountSid === undefined
            ? {}
            : { accountSid: ctx.config.twilioAccountSid }),
          apiUrl: ctx.config.twilioApiUrl,
          logger,
          signal: ctx.shutdown,
          ...(options.apiRetryDelaysMs === undefined
            ? {}
            : { retryDelaysMs: options.apiRetryDelaysMs }),
          onApiError: (err) => metrics.restErrors.inc({ operation: err.operation, kind: err.kind }),
        }));
  if (provider === undefined) {
    logger.warn(
      "--twilio-auth-token is not set: every voice webhook (/voice/*) is refused 503 until it is",
    );
  }
  if (ctx.config.publicUrl === undefined && provider !== undefined) {
    logger.warn(
      "--public-url is not set: webhook signatures are checked against http://<Host header>, which fails behind a proxy or TLS terminator",
    );
  }
  // Live-call redirects and outbound calls need the provider's API (an account to call it as).
  const liveControl =
    provider !== undefined &&
    (options.provider !== undefined || ctx.config.twilioAccountSid !== undefined);
  const callbacksAvailable = config.callbacks.enabled && liveControl;
  if (!liveControl && provider !== undefined) {
    logger.warn(
      "--twilio-account-sid is not set: no callbacks are offered, and a caller whose agent accepted is connected at the next hold announcement",
    );
  }

  const flow = createCallFlow({
    ctx,
    provider: provider ?? disabled,
    config,
    metrics,
    positions,
    logger,
    callbacksAvailable,
  });
  const routes = createWebhookRoutes({
    flow,
    provider,
    metrics,
    logger,
    publicUrl: ctx.config.publicUrl,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    disabledReason:
      "voice webhooks are disabled: the gateway has no --twilio-auth-token to verify X-Twilio-Signature with",
  });

  let consumer: Consumer | undefined;
  let feed: Subscription | undefined;
  if (provider !== undefined) {
    consumer = await consumeContactEvents({
      ctx,
      flow,
      provider,
      config,
      metrics,
      positions,
      logger,
      callbacksAvailable,
      liveControl,
    });
    // The router's live feed keeps the hold announcements current between QUEUED events.
    feed = await subscribePositions(ctx.bus, (update) => {
      if (update.channel === Channel.VOICE) positions.set(update.contactId, update);
    });
  }

  return {
    name: "phone",
    http: routes,
    async stop() {
      feed?.unsubscribe();
      await routes.idle();
      await consumer?.stop();
    },
  };
}

const disabled: VoiceProvider = {
  name: "disabled",
  verify: () => ({ ok: false, reason: "missing" }),
  parse: () => ({ invalidField: "CallSid", description: "voice webhooks are disabled" }),
  render: () => ({ contentType: "text/xml", body: "<Response/>" }),
  placeCall: () => Promise.reject(new Error("voice webhooks are disabled")),
  redirectCall: () => Promise.reject(new Error("voice webhooks are disabled")),
};
