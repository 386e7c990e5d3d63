import { create } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { type ContactView, E164, type Logger } from "../../core/index.js";
import type { AdapterContext } from "../../gateway/index.js";
import { Channel, ContactEventType, ContactSchema } from "../../proto/index.js";
import { type CallRecord, type CallStore, createCallStore } from "./call-state.js";
import {
  DEFAULT_PROMPTS,
  fill,
  type MenuOption,
  type PhoneConfig,
  type PhoneLanguage,
  type Prompts,
} from "./phone-config.js";
import type { PhoneMetrics } from "./phone-metrics.js";
import type { PositionBook } from "./position-book.js";
import {
  type CallInstruction,
  type CallWebhook,
  FINAL_STATUSES,
  type VoiceProvider,
} from "./voice-provider.js";

/** A verified, parsed webhook: the call, the public base URL it came to, its query. */
export interface FlowRequest {
  readonly call: CallWebhook;
  readonly base: string;
  readonly query: URLSearchParams;
}

export type FlowStep = (request: FlowRequest) => Promise<CallInstruction[]>;

/** The webhook steps of a call, by path (each answers call-control instructions). */
export interface CallFlow {
  readonly steps: Readonly<Record<string, FlowStep>>;
  /** The store of one tenant's calls. */
  calls(tenant: string): CallStore;
  /** The call record of a voice contact this adapter took, if any. */
  recordOf(
    tenant: string,
    contactId: string,
  ): Promise<{ record: CallRecord; view: ContactView } | undefined>;
  /** A URL on the adapter's public base. */
  url(base: string, path: string, query?: Readonly<Record<string, string>>): string;
}

export interface CallFlowDeps {
  readonly ctx: AdapterContext;
  readonly provider: VoiceProvider;
  readonly config: PhoneConfig;
  readonly metrics: PhoneMetrics;
  readonly positions: PositionBook;
  readonly logger: Logger;
  /** Outbound calls possible (account sid set) and enabled: callbacks can be offered. */
  readonly callbacksAvailable: boolean;
}

/** Channel metadata keys on the contacts this adapter submits (routing rules can match them). */
export const META = {
  callId: "voice_call_id",
  provider: "voice_provider",
  option: "ivr_option",
  label: "ivr_label",
  queue: "ivr_queue",
} as const;

const TERMINAL = new Set([
  ContactEventType.COMPLETED,
  ContactEventType.ABANDONED,
  ContactEventType.CANCELLED,
]);
const HOLDING = new Set([
  ContactEventType.ACCEPTED,
  ContactEventType.CONNECTED,
  ContactEventType.WRAP_UP,
  ContactEventType.TRANSFERRED,
]);

/**
 * The provider-neutral call flow: IVR (language, then topic; "on behalf of someone" marks a
 * present intermediary), the contact submitted with the call id as idempotency key, the hold
 * loop (position, expected wait, callback offer, then <Redirect> back), the dial to the agent
 * once one accepted, callback answering and the status bookkeeping (abandon on hang-up while
 * queued, never after a callback was scheduled).
 */
export function createCallFlow(deps: CallFlowDeps): CallFlow {
  const { ctx, config, metrics, positions, logger } = deps;
  const stores = new Map<string, CallStore>();
  const calls = (tenant: string): CallStore => {
    let store = stores.get(tenant);
    if (store === undefined) {
      store = createCallStore(ctx.store.forTenant(tenant).channelState);
      stores.set(tenant, store);
    }
    return store;
  };
  const tenantFor = (to: string) => config.tenantByNumber.get(to) ?? config.defaultTenant;
  const url = (base: string, path: string, query?: Readonly<Record<string, string>>) =>
    `${base}${path}${query === undefined ? "" : `?${new URLSearchParams(query).toString()}`}`;

  const languageOf = (record: CallRecord): PhoneLanguage =>
    config.languages.find((l) => l.digit === record.languageDigit) ??
    (config.languages[0] as PhoneLanguage);
  const promptsOf = (language: PhoneLanguage): Prompts =>
    config.prompts.get(language.voice) ?? DEFAULT_PROMPTS;
  const speaker = (record: CallRecord) => {
    const language = languageOf(record);
    const prompts = promptsOf(language);
    return (key: keyof Prompts, values: Record<string, string | number> = {}) =>
      ({ kind: "say", text: fill(prompts[key], values), voiceLanguage: language.voice }) as const;
  };

  // ---- IVR ----------------------------------------------------------------------------------

  const languagePrompt = (record: CallRecord, lead: CallInstruction[]): CallInstruction[] => {
    const action = url(record.base, "/voice/language");
    const prompts = [
      ...lead,
      ...config.languages.map((l) => ({
        kind: "say" as const,
        text: fill(promptsOf(l).languageOption, { name: l.name, digit: l.digit }),
        voiceLanguage: l.voice,
      })),
    ];
    return [
      {
        kind: "gather",
        action,
        numDigits: 1,
        timeoutSeconds: config.gatherTimeoutSeconds,
        prompts: prompts.filter((p) => p.kind === "say"),
      },
      // No key pressed: the same step again, without Digits (counted as an attempt).
      { kind: "redirect", url: action },
    ];
  };

  const visibleMenu = (record: CallRecord): MenuOption[] =>
    config.menu.filter((o) => record.onBehalf === undefined || o.onBehalf === undefined);

  const menuPrompt = (record: CallRecord, lead: CallInstruction[]): CallInstruction[] => {
    const say = speaker(record);
    const action = url(record.base, "/voice/menu");
    const options = visibleMenu(record).map((o) =>
      say("menuOption", { label: o.label, digit: o.digit }),
    );
    const prompts = [...lead, ...options].filter((p) => p.kind === "say");
    return [
      {
        kind: "gather",
        action,
        numDigits: 1,
        timeoutSeconds: config.gatherTimeoutSeconds,
        prompts,
      },
      { kind: "redirect", url: action },
    ];
  };

  const load = async (request: FlowRequest): Promise<CallRecord> => {
    const { call } = request;
    const tenant = tenantFor(call.to);
    const phone = E164.test(call.from) ? call.from : undefined;
    const fresh: CallRecord = {
      callId: call.callId,
      tenant,
      base: request.base,
      to: call.to,
      ...(phone === undefined ? {} : { phone }),
      stage: config.languages.length > 1 ? "language" : "menu",
      attempts: 0,
      ...(config.languages.length > 1 ? {} : { languageDigit: config.languages[0]?.digit ?? "1" }),
      startedMs: ctx.clock.nowMs(),
    };
    // A retried or out-of-order webhook finds the call where it is; a new one starts it.
    return calls(tenant).claim(fresh);
  };

  /** The step a call is at, for a webhook that does not belong to that step. */
  const resume = async (record: CallRecord): Promise<CallInstruction[]> => {
    if (record.stage === "language") return languagePrompt(record, []);
    if (record.stage === "menu") return menuPrompt(record, []);
    return holdOrConnect(record);
  };

  const incoming: FlowStep = async (request) => {
    const record = await load(request);
    const welcome = speaker(record)("welcome");
    if (record.stage === "language") return languagePrompt(record, [welcome]);
    if (record.stage === "menu") return menuPrompt(record, [welcome]);
    return holdOrConnect(record);
  };

  const language: FlowStep = async (request) => {
    const record = await load(request);
    if (record.stage !== "language") return resume(record);
    const digits = request.call.digits ?? "";
    const chosen = config.languages.find((l) => l.digit === digits);
    if (chosen === undefined && ++record.attempts < config.maxAttempts) {
      await calls(record.tenant).put(record);
      return languagePrompt(record, digits === "" ? [] : [speaker(record)("invalid")]);
    }
    record.languageDigit = (chosen ?? (config.languages[0] as PhoneLanguage)).digit;
    record.stage = "menu";
    record.attempts = 0;
    await calls(record.tenant).put(record);
    return menuPrompt(record, []);
  };

  const menu: FlowStep = async (request) => {
    const record = await load(request);
    if (record.stage !== "menu") return resume(record);
    const digits = request.call.digits ?? "";
    const chosen = visibleMenu(record).find((o) => o.digit === digits);
    if (chosen?.onBehalf !== undefined) {
      record.onBehalf = chosen.onBehalf;
      record.attempts = 0;
      await calls(record.tenant).put(record);
      return menuPrompt(record, [speaker(record)("onBehalfNoted")]);
    }
    if (chosen === undefined && ++record.attempts < config.maxAttempts) {
      await calls(record.tenant).put(record);
      return menuPrompt(record, digits === "" ? [] : [speaker(record)("invalid")]);
    }
    return enqueue(record, chosen ?? config.defaultOption);
  };

  const enqueue = async (record: CallRecord, option: MenuOption): Promise<CallInstruction[]> => {
    const say = speaker(record);
    const lang = languageOf(record);
    const onBehalf = record.onBehalf;
    const metadata: Record<string, string> = {
      [META.callId]: record.callId,
      [META.provider]: deps.provider.name,
      [META.option]: option.digit,
      [META.label]: option.label,
    };
    if (option.queue !== undefined) metadata[META.queue] = option.queue;
    const contact = create(ContactSchema, {
      channel: Channel.VOICE,
      // One contact per call, whatever the provider retries.
      idempotencyKey: record.callId,
      // A caller on behalf of someone is the intermediary; the customer is not identified yet.
      customer:
        onBehalf === undefined && record.phone !== undefined
          ? { identifiers: { phone: record.phone } }
          : { id: `voice-call:${record.callId}` },
      requiredSkills: option.skills.map((skill) => ({ skill, minProficiency: 1 })),
      priority: option.priority ?? 0,
      language: lang.code ?? "",
      subject: `Phone call: ${option.label}`.slice(0, 256),
      queueId: option.queue ?? "",
      channelMetadata: metadata,
      ...(onBehalf === undefined
        ? {}
        : {
            intermediary: {
              kind: onBehalf,
              id: record.phone ?? `voice-call:${record.callId}`,
              present: true,
            },
          }),
    });
    try {
      const { contact: submitted } = await ctx.intake.submit(record.tenant, contact);
      record.contactId = submitted.id;
    } catch (err) {
      logger.warn({ err, callId: record.callId }, "could not submit the call's contact");
      if (record.outcome === undefined) {
        record.outcome = "failed";
        metrics.calls.inc({ outcome: "failed" });
      }
      await calls(record.tenant).put(record);
      return [say("unavailable"), { kind: "hangup" }];
    }
    record.stage = "queued";
    record.attempts = 0;
    record.queuedMs = ctx.clock.nowMs();
    await calls(record.tenant).put(record);
    logger.info(
      { callId: record.callId, contactId: record.contactId, option: option.digit },
      "caller queued",
    );
    return [say("queued"), { kind: "redirect", url: url(record.base, "/voice/hold") }];
  };

  // ---- hold loop and connection -------------------------------------------------------------

  const agentOf = (view: ContactView | undefined): string | undefined => {
    const last = view?.lastEvent;
    if (last === undefined || !HOLDING.has(last.type)) return undefined;
    return last.transferAgentId || last.agentId || undefined;
  };

  const dial = (record: CallRecord, contactId: string, agentId: string): CallInstruction => ({
    kind: "dial",
    target: config.agents.get(agentId) ?? { client: agentId },
    statusUrl: url(record.base, "/voice/status", {
      leg: "agent",
      tenant: record.tenant,
      contact: contactId,
    }),
  });

  const holdOrConnect = async (record: CallRecord): Promise<CallInstruction[]> => {
    const say = speaker(record);
    const contactId = record.contactId;
    if (contactId === undefined) return menuPrompt(record, []);
    const view = await ctx.intake.get(record.tenant, contactId);
    const last = view?.lastEvent;
    if (view === undefined || (last !== undefined && TERMINAL.has(last.type))) {
      return [say("ended"), { kind: "hangup" }];
    }
    const agentId = agentOf(view) ?? (record.stage === "connecting" ? record.agentId : undefined);
    if (agentId !== undefined) {
      if (record.stage !== "connected") {
        record.stage = "connecting";
        record.agentId = agentId;
        await calls(record.tenant).put(record);
      }
      // The call is on its way to the agent: no live-call redirect needed any more (one would
      // restart the dial).
      await calls(record.tenant).markDone(`redirect:${contactId}`);
      return [say("connecting"), dial(record, contactId, agentId), { kind: "hangup" }];
    }
    if (record.stage === "callback") return [say("callbackConfirmed"), { kind: "hangup" }];
    return hold(record, contactId, view);
  };

  const hold = async (
    record: CallRecord,
    contactId: string,
    view: ContactView | undefined,
  ): Promise<CallInstruction[]> => {
    const say = speaker(record);
    const last = view?.lastEvent;
    const live = positions.get(contactId);
    const fromEvent =
      last?.type === ContactEventType.QUEUED
        ? {
            position: last.position,
            expectedWaitMs:
              last.expectedWait === undefined ? undefined : durationMs(last.expectedWait),
            atMs: last.time === undefined ? 0 : timestampMs(last.time),
          }
        : undefined;
    // The newer of the live feed (this process) and the record (any replica's view).
    const where =
      live === undefined || (fromEvent !== undefined && fromEvent.atMs > live.atMs)
        ? (fromEvent ?? live)
        : live;
    const lines: CallInstruction[] = [];
    if (where !== undefined && where.position > 0) {
      lines.push(say("position", { position: where.position }));
    }
    const waitMs = where?.expectedWaitMs;
    if (waitMs !== undefined) {
      lines.push(
        waitMs < 60_000
          ? say("waitUnderMinute")
          : say("waitMinutes", { minutes: Math.ceil(waitMs / 60_000) }),
      );
    }
    const filler: CallInstruction =
      config.holdMusicUrl === undefined
        ? { kind: "pause", seconds: ctx.config.holdAnnounceSeconds }
        : { kind: "play", url: config.holdMusicUrl };
    const again: CallInstruction = { kind: "redirect", url: url(record.base, "/voice/hold") };
    const offerCallback =
      deps.callbacksAvailable &&
      record.phone !== undefined &&
      waitMs !== undefined &&
      waitMs > ctx.config.callbackThresholdSeconds * 1000;
    if (!offerCallback) return [...lines, filler, again];
    if (record.callbackOffered !== true) {
      record.callbackOffered = true;
      await calls(record.tenant).put(record);
      metrics.callbacks.inc({ stage: "offered" });
    }
    const prompts = [...lines, say("callbackOffer"), filler].filter(
      (p): p is Extract<CallInstruction, { kind: "say" | "play" | "pause" }> =>
        p.kind === "say" || p.kind === "play" || p.kind === "pause",
    );
    return [
      {
        kind: "gather",
        action: url(record.base, "/voice/hold-choice"),
        numDigits: 1,
        timeoutSeconds: 1,
        prompts,
      },
      again,
    ];
  };

  const holdStep: FlowStep = async (request) => resume(await load(request));

  const holdChoice: FlowStep = async (request) => {
    const record = await load(request);
    const contactId = record.contactId;
    if (
      record.stage !== "queued" ||
      contactId === undefined ||
      request.call.digits !== "1" ||
      !deps.callbacksAvailable ||
      record.phone === undefined
    ) {
      return resume(record);
    }
    const view = await ctx.intake.get(record.tenant, contactId);
    if (agentOf(view) !== undefined) return holdOrConnect(record);
    // Stage first: the hang-up that follows must find "callback", not "queued" (no abandon).
    record.stage = "callback";
    await calls(record.tenant).put(record);
    try {
      // The contact keeps its place; the router publishes CALLBACK_SCHEDULED.
      await ctx.intake.scheduleCallback(record.tenant, contactId, {
        phone: record.phone,
        reason: "caller_requested",
      });
    } catch (err) {
      logger.warn({ err, callId: record.callId, contactId }, "could not schedule the callback");
      record.stage = "queued";
      await calls(record.tenant).put(record);
      return holdOrConnect(record);
    }
    metrics.callbacks.inc({ stage: "accepted" });
    logger.info({ callId: record.callId, contactId }, "caller chose a callback");
    return [speaker(record)("callbackConfirmed"), { kind: "hangup" }];
  };

  // ---- callbacks ----------------------------------------------------------------------------

  const recordOf = async (tenant: string, contactId: string) => {
    if (contactId === "" || contactId.length > 256) return undefined;
    const view = await ctx.intake.get(tenant, contactId);
    const callId = view?.contact.channelMetadata[META.callId];
    if (view === undefined || callId === undefined) return undefined;
    const record = await calls(tenant).get(callId);
    return record === undefined ? undefined : { record, view };
  };

  const callbackAnswer: FlowStep = async (request) => {
    const tenant = request.query.get("tenant") ?? config.defaultTenant;
    const contactId = request.query.get("contact") ?? "";
    const found = await recordOf(tenant, contactId);
    if (found === undefined) {
      return [
        { kind: "say", text: DEFAULT_PROMPTS.ended, voiceLanguage: "en-US" },
        { kind: "hangup" },
      ];
    }
    const { record, view } = found;
    const say = speaker(record);
    const last = view.lastEvent;
    if (last !== undefined && TERMINAL.has(last.type)) return [say("ended"), { kind: "hangup" }];
    const agentId = agentOf(view) ?? record.agentId;
    if (agentId !== undefined) {
      return [say("callbackGreeting"), dial(record, contactId, agentId), { kind: "hangup" }];
    }
    // Placed on OFFERED and not accepted yet: the customer holds on the callback leg.
    return [
      say("queued"),
      { kind: "pause", seconds: 5 },
      {
        kind: "redirect",
        url: url(request.base, "/voice/callback-answer", { tenant, contact: contactId }),
      },
    ];
  };

  // ---- status callbacks ---------------------------------------------------------------------

  const status: FlowStep = async (request) => {
    const { call } = request;
    const leg = request.query.get("leg") ?? "caller";
    const callStatus = call.status;
    if (callStatus === undefined) return [];
    if (leg === "callback") {
      if (callStatus === "in-progress") metrics.callbacks.inc({ stage: "answered" });
      else if (FINAL_STATUSES.has(callStatus) && callStatus !== "completed") {
        metrics.callbacks.inc({ stage: "failed" });
        logger.warn(
          { callId: call.callId, contactId: request.query.get("contact"), status: callStatus },
          "callback call not answered; the agent holds the contact",
        );
      }
      return [];
    }
    if (leg === "agent") {
      const tenant = request.query.get("tenant") ?? config.defaultTenant;
      const contactId = request.query.get("contact") ?? "";
      const found = await recordOf(tenant, contactId);
      if (callStatus === "in-progress" && found !== undefined) {
        found.record.stage = "connected";
        await calls(tenant).put(found.record);
        logger.info({ contactId, callId: found.record.callId }, "caller connected to the agent");
      } else if (FINAL_STATUSES.has(callStatus) && callStatus !== "completed") {
        logger.warn({ contactId, status: callStatus }, "agent leg not answered");
      }
      return [];
    }
    if (!FINAL_STATUSES.has(callStatus)) return [];
    const tenant = tenantFor(call.to);
    const record = await calls(tenant).get(call.callId);
    if (record === undefined || record.callerGone === true) return [];
    record.callerGone = true;
    let outcome: string;
    switch (record.stage) {
      case "language":
      case "menu":
        outcome = "ivr_hangup";
        break;
      case "queued":
        outcome = "abandoned";
        break;
      case "callback":
        outcome = "callback";
        break;
      case "connecting":
        // Hung up while the agent's leg rang, or the agent never answered it.
        outcome = "agent_unanswered";
        break;
      default:
        outcome = "connected";
    }
    if (outcome === "abandoned" && record.contactId !== undefined) {
      const waitedMs = ctx.clock.nowMs() - (record.queuedMs ?? record.startedMs);
      // Throws on failure: the provider sees 503 and the record stays retryable.
      await ctx.intake.cancel(tenant, record.contactId, {
        reason: "caller_hung_up",
        abandoned: true,
      });
      metrics.abandonedWaitSeconds.observe(Math.max(0, waitedMs) / 1000);
      logger.info(
        { callId: record.callId, contactId: record.contactId, waitedMs },
        "caller hung up while queued",
      );
    }
    if (record.outcome === undefined) {
      record.outcome = outcome;
      metrics.calls.inc({ outcome });
    }
    await calls(tenant).put(record);
    return [];
  };

  return {
    steps: {
      "/voice/incoming": incoming,
      "/voice/language": language,
      "/voice/menu": menu,
      "/voice/hold": holdStep,
      "/voice/hold-choice": holdChoice,
      // Where a live call is redirected when an agent accepts: the hold step finds the agent.
      "/voice/connect": holdStep,
      "/voice/callback-answer": callbackAnswer,
      "/voice/status": status,
    },
    calls,
    recordOf,
    url,
  };
}
