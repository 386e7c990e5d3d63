import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  type Consumer,
  decodeContactEvent,
  type Logger,
  pipelineFilters,
} from "../../core/index.js";
import type { AdapterContext } from "../../gateway/index.js";
import { Channel, type ContactEvent, ContactEventType } from "../../proto/index.js";
import type { CallFlow } from "./call-flow.js";
import type { CallRecord } from "./call-state.js";
import type { PhoneConfig } from "./phone-config.js";
import type { PhoneMetrics } from "./phone-metrics.js";
import type { PositionBook } from "./position-book.js";
import { ProviderApiError, type VoiceProvider } from "./voice-provider.js";

export interface ContactEventDeps {
  readonly ctx: AdapterContext;
  readonly flow: CallFlow;
  readonly provider: VoiceProvider;
  readonly config: PhoneConfig;
  readonly metrics: PhoneMetrics;
  readonly positions: PositionBook;
  readonly logger: Logger;
  readonly callbacksAvailable: boolean;
  /** The provider's API can be called: without it the hold loop connects accepted callers. */
  readonly liveControl: boolean;
  /** Events older than this are not acted on with provider calls (a replay, a long outage). */
  readonly staleAfterMs?: number;
}

/** Thrown to have the bus deliver the event again (backoff): the call record lags behind. */
class NotReadyYet extends Error {}

/**
 * Contact lifecycle events → the phone: QUEUED positions for the hold loop; an agent's
 * ACCEPTED moves the waiting caller's live call to the <Dial> (provider "redirect live
 * call"); for a caller who chose a callback, OFFERED or ACCEPTED (configurable) places the
 * outbound call. A durable consumer: replicas share the work, a provider outage is retried
 * through redelivery with backoff, and each provider action happens once per contact.
 */
export async function consumeContactEvents(deps: ContactEventDeps): Promise<Consumer> {
  const { ctx, flow, provider, config, metrics, positions, logger } = deps;
  const staleAfterMs = deps.staleAfterMs ?? 15 * 60_000;

  const onEvent = async (event: ContactEvent): Promise<void> => {
    const contactId = event.contactId;
    switch (event.type) {
      case ContactEventType.QUEUED:
        positions.set(contactId, {
          position: event.position,
          expectedWaitMs:
            event.expectedWait === undefined ? undefined : durationMs(event.expectedWait),
          atMs: event.time === undefined ? ctx.clock.nowMs() : timestampMs(event.time),
        });
        return;
      case ContactEventType.OFFERED:
        if (config.callbacks.placeOn === "offered") await act(event);
        return;
      case ContactEventType.ACCEPTED:
        positions.delete(contactId);
        await act(event);
        return;
      case ContactEventType.COMPLETED:
      case ContactEventType.ABANDONED:
      case ContactEventType.CANCELLED:
        positions.delete(contactId);
        return;
      default:
        return;
    }
  };

  /** An agent was found for a voice contact: connect the waiting caller or call them back. */
  const act = async (event: ContactEvent): Promise<void> => {
    const atMs = event.time === undefined ? ctx.clock.nowMs() : timestampMs(event.time);
    if (ctx.clock.nowMs() - atMs > staleAfterMs) return;
    const found = await flow.recordOf(event.tenant, event.contactId);
    // Not a call this adapter took (e.g. a voice contact a platform submitted over gRPC).
    if (found === undefined) return;
    const { record } = found;
    if (record.contactId === undefined) throw new NotReadyYet("call record not updated yet");
    const store = flow.calls(record.tenant);
    if (event.type === ContactEventType.ACCEPTED && event.agentId !== "") {
      record.agentId = event.agentId;
    }
    // "connecting" again: a redelivery after the provider API failed.
    if (
      (record.stage === "queued" || record.stage === "connecting") &&
      event.type === ContactEventType.ACCEPTED
    ) {
      if (record.callerGone === true) return;
      record.stage = "connecting";
      await store.put(record);
      await redirect(record, event.contactId);
      return;
    }
    if (record.stage === "callback") {
      await store.put(record);
      await placeCallback(record, event.contactId);
    }
  };

  const redirect = async (record: CallRecord, contactId: string) => {
    if (!deps.liveControl) return;
    const action = `redirect:${contactId}`;
    const store = flow.calls(record.tenant);
    if (await store.done(action)) return;
    const target = flow.url(record.base, "/voice/connect", {
      tenant: record.tenant,
      contact: contactId,
    });
    try {
      await provider.redirectCall(record.callId, target);
    } catch (err) {
      if (!isFinal(err)) throw err;
      // The call is gone (hung up meanwhile): its status callback does the bookkeeping.
      metrics.redirects.inc({ result: "failed" });
      logger.warn({ err, callId: record.callId, contactId }, "could not move the live call");
      await store.markDone(action);
      return;
    }
    await store.markDone(action);
    metrics.redirects.inc({ result: "ok" });
    logger.info(
      { callId: record.callId, contactId, agentId: record.agentId },
      "live call moved to the agent",
    );
  };

  const placeCallback = async (record: CallRecord, contactId: string) => {
    if (!deps.callbacksAvailable || record.phone === undefined) return;
    const action = `callback:${contactId}`;
    const store = flow.calls(record.tenant);
    if (await store.done(action)) return;
    let callId: string;
    try {
      ({ callId } = await provider.placeCall({
        to: record.phone,
        from: config.callbacks.callerId ?? record.to,
        answerUrl: flow.url(record.base, "/voice/callback-answer", {
          tenant: record.tenant,
          contact: contactId,
        }),
        statusUrl: flow.url(record.base, "/voice/status", {
          leg: "callback",
          tenant: record.tenant,
          contact: contactId,
        }),
      }));
    } catch (err) {
      if (!isFinal(err)) throw err;
      metrics.callbacks.inc({ stage: "failed" });
      logger.warn({ err, contactId }, "the provider refused the callback call");
      await store.markDone(action);
      return;
    }
    await store.markDone(action);
    metrics.callbacks.inc({ stage: "placed" });
    logger.info(
      { contactId, callbackCallId: callId, agentId: record.agentId },
      "callback call placed",
    );
  };

  return ctx.bus.consume(
    {
      durable: "phone-contact-events",
      filterSubjects: [pipelineFilters.contactEvents(ctx.bus.subjects)],
      maxDeliver: 8,
      backoffMs: [200, 1000, 3000, 10_000],
      concurrency: 8,
      // Covers the provider API's attempts (4 × 5 s timeout + 4.25 s of backoff).
      ackWaitMs: 60_000,
      // One contact's events in order; different contacts side by side.
      partitionKey: (m) => m.msgId?.split(":").slice(0, 3).join(":") ?? m.subject,
    },
    async (message) => {
      const event = decodeContactEvent(message.data);
      if (event.channel !== Channel.VOICE) return;
      try {
        await onEvent(event);
      } catch (err) {
        logger.warn(
          {
            err,
            contactId: event.contactId,
            type: ContactEventType[event.type],
            attempt: message.deliveryCount,
          },
          "voice contact event not handled yet; it will be delivered again",
        );
        throw err;
      }
    },
  );
}

/** A 4xx from the provider will not change on retry. */
function isFinal(err: unknown): boolean {
  return err instanceof ProviderApiError && err.kind === "http_4xx";
}
