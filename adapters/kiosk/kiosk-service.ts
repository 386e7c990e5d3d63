import { timingSafeEqual } from "node:crypto";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Clock,
  type ContactIntake,
  E164,
  ErrorCode,
  type IdGenerator,
  invalidArgument,
  type Logger,
  SwitchboardError,
  TERMINAL_EVENTS,
} from "../../core/index.js";
import { nextOrStop, type ServiceImpl } from "../../gateway/index.js";
import {
  ContactEventType,
  type KioskAcceptCallback,
  type KioskCsatAnswer,
  type KioskFault,
  type KioskFaultCleared,
  KioskFaultState,
  type KioskHello,
  type KioskHelpRequest,
  type KioskService,
  type KioskServiceConnectRequest,
  KioskStatus,
} from "../../proto/index.js";
import type { DevicePresence } from "./device-presence.js";
import {
  FAULT_CODES,
  faultName,
  type KioskDevice,
  type KioskSettings,
  sha256,
} from "./kiosk-config.js";
import {
  checkFault,
  checkRequestId,
  faultContact,
  faultIdempotencyKey,
  helpContact,
} from "./kiosk-contacts.js";
import type { KioskHub, KioskResponse, KioskSession } from "./kiosk-hub.js";
import type { KioskMetrics } from "./kiosk-metrics.js";
import type { KioskState } from "./kiosk-state.js";

type Call = Parameters<ServiceImpl<typeof KioskService>["connect"]>[0];

export interface KioskServiceDeps {
  readonly settings: KioskSettings;
  readonly intake: ContactIntake;
  readonly hub: KioskHub;
  readonly presence: DevicePresence;
  readonly metrics: KioskMetrics;
  readonly stateOf: (tenant: string) => KioskState;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly shutdown: AbortSignal;
  /** The first message must arrive within this long. */
  readonly helloTimeoutMs: number;
}

/** Per stream; a heartbeat every few seconds plus a few requests is far below. */
const MAX_MESSAGES_PER_MINUTE = 1200;
/** A contact an agent already holds: clearing its fault no longer cancels it. */
const TAKEN = new Set([
  ContactEventType.ACCEPTED,
  ContactEventType.CONNECTED,
  ContactEventType.WRAP_UP,
]);

const unauthenticated = () =>
  new SwitchboardError(ErrorCode.Unauthenticated, "unknown kiosk or wrong token");

/**
 * KioskService.Connect: authenticate the device (before anything else), welcome it with its
 * open requests and faults, then handle each message in order; one request's error is a
 * KioskError that keeps the stream open. Every message is a heartbeat.
 */
export function createKioskService(deps: KioskServiceDeps): ServiceImpl<typeof KioskService> {
  const { settings, intake, hub, presence, metrics, stateOf, clock, ids } = deps;
  const logger = deps.logger.child({ component: "kiosk-service" });

  /** The device whose configured token hash equals sha256(token), compared in constant time. */
  const tokenMatches = (device: KioskDevice, token: string) =>
    token !== "" && timingSafeEqual(device.tokenSha256, sha256(token));

  const authenticate = (hello: KioskHello, metadataToken: string | undefined): KioskDevice => {
    const device = settings.devices.get(hello.kioskId);
    const token = metadataToken ?? hello.token;
    if (device === undefined || !tokenMatches(device, token)) {
      metrics.streamsRefused.inc({ reason: "unauthenticated" });
      throw unauthenticated();
    }
    return device;
  };

  return {
    async connect(call: Call, signal) {
      const stop = AbortSignal.any([signal, deps.shutdown]);
      const metadataToken = bearerOf(call);
      // A token in metadata that no device has is refused before reading anything.
      if (
        metadataToken !== undefined &&
        ![...settings.devices.values()].some((d) => tokenMatches(d, metadataToken))
      ) {
        metrics.streamsRefused.inc({ reason: "unauthenticated" });
        throw unauthenticated();
      }
      const incoming = call[Symbol.asyncIterator]() as AsyncIterator<KioskServiceConnectRequest>;
      const first = await nextOrStop(incoming, stop, {
        ms: deps.helloTimeoutMs,
        error: () =>
          new SwitchboardError(
            ErrorCode.Unauthenticated,
            `no hello within ${deps.helloTimeoutMs} ms`,
          ),
      }).catch((err: unknown) => {
        metrics.streamsRefused.inc({ reason: "no_hello" });
        throw err;
      });
      if (first === "stopped" || first.done) return;
      if (first.value.message.case !== "hello") {
        metrics.streamsRefused.inc({ reason: "unauthenticated" });
        throw new SwitchboardError(
          ErrorCode.Unauthenticated,
          "the first message must be hello with the kiosk id and its token",
        );
      }
      const hello = first.value.message.value;
      const device = authenticate(hello, metadataToken);
      const write = (message: KioskResponse) => {
        if (!call.writableEnded && !call.destroyed) call.write(message);
      };
      // The welcome comes first: events for this device that arrive while it is being built
      // wait behind it.
      let held: KioskResponse[] | undefined = [];
      const session: KioskSession = {
        device: hello.site && !device.site ? { ...device, site: hello.site } : device,
        language: hello.language,
        replaced: new AbortController(),
        send: (message: KioskResponse) => {
          if (held === undefined || message.message?.case === "welcome") write(message);
          else held.push(message);
        },
      };
      const release = () => {
        const waiting = held ?? [];
        held = undefined;
        for (const message of waiting) write(message);
      };
      const log = logger.child({ kioskId: device.id, tenant: device.tenant });
      hub.attach(session);
      presence.seen(device, "connected");
      try {
        await welcome(session, release);
        log.info("kiosk connected");
        const ended = AbortSignal.any([stop, session.replaced.signal]);
        let windowStartMs = clock.nowMs();
        let inWindow = 0;
        for (;;) {
          const next = await nextOrStop(incoming, ended);
          if (next === "stopped" || next.done) break;
          presence.seen(device, "heartbeat_resumed");
          // A runaway device must not flood the store and the bus.
          if (clock.nowMs() - windowStartMs >= 60_000) {
            windowStartMs = clock.nowMs();
            inWindow = 0;
          }
          if (++inWindow > MAX_MESSAGES_PER_MINUTE) {
            metrics.streamsRefused.inc({ reason: "rate_limited" });
            log.warn("kiosk stream ended: too many messages");
            throw new SwitchboardError(
              ErrorCode.ResourceExhausted,
              `more than ${MAX_MESSAGES_PER_MINUTE} messages in a minute`,
            );
          }
          await handle(session, next.value, log);
        }
        if (session.replaced.signal.aborted) {
          throw new SwitchboardError(
            ErrorCode.AlreadyExists,
            "a newer stream for this kiosk replaced this one",
          );
        }
      } finally {
        hub.detach(session);
        log.info("kiosk stream ended");
      }
    },
  };

  /** Open requests with their current status, open faults, and the heartbeat interval. */
  async function welcome(session: KioskSession, release: () => void): Promise<void> {
    const { device } = session;
    const state = stateOf(device.tenant);
    const open = await state.openRequests(device.id);
    const views = await Promise.all(
      open.map(async (o) => ({ ...o, view: await intake.get(device.tenant, o.contactId) })),
    );
    const statuses = [];
    const completed: { requestId: string; contactId: string }[] = [];
    for (const { requestId, contactId, view } of views) {
      const owner = { kind: "help" as const, deviceId: device.id, requestId };
      statuses.push(
        view === undefined
          ? { requestId, contactId, status: KioskStatus.ENDED, reason: "unknown" }
          : await hub.statusOfView(device.tenant, contactId, owner, view),
      );
      const type = view?.lastEvent?.type;
      if (view === undefined || (type !== undefined && TERMINAL_EVENTS.has(type))) {
        // Told once, then forgotten.
        await state.closeHelp(device.id, requestId);
        if (type === ContactEventType.COMPLETED) completed.push({ requestId, contactId });
      }
    }
    const openFaults = [];
    for (const code of FAULT_CODES) {
      const claim = await state.fault(device.id, faultName(code));
      if (claim !== undefined) {
        openFaults.push({
          code,
          contactId: claim.contactId ?? "",
          state: KioskFaultState.REPORTED,
        });
      }
    }
    session.send({
      message: {
        case: "welcome",
        value: {
          openRequests: statuses,
          heartbeatInterval: durationFromMs(Math.floor(settings.heartbeatTimeoutMs / 3)),
          openFaults,
        },
      },
    });
    release();
    for (const c of completed) {
      session.send({
        message: {
          case: "csatQuestion",
          value: { ...c, question: settings.csatQuestion, minScore: 1, maxScore: 5 },
        },
      });
    }
  }

  async function handle(
    session: KioskSession,
    request: KioskServiceConnectRequest,
    log: Logger,
  ): Promise<void> {
    const m = request.message;
    const requestId =
      m.case === "helpRequest" ||
      m.case === "cancelHelp" ||
      m.case === "acceptCallback" ||
      m.case === "csatAnswer"
        ? m.value.requestId
        : "";
    try {
      switch (m.case) {
        case "heartbeat":
          return;
        case "hello":
          throw new SwitchboardError(ErrorCode.FailedPrecondition, "hello only once, first");
        case "helpRequest":
          return await help(session, m.value, log);
        case "cancelHelp":
          return await cancelHelp(session, m.value.requestId);
        case "acceptCallback":
          return await acceptCallback(session, m.value);
        case "fault":
          return await fault(session, m.value, log);
        case "faultCleared":
          return await faultCleared(session, m.value, log);
        case "csatAnswer":
          return await csat(session, m.value);
        default:
          throw invalidArgument([{ field: "message", description: "exactly one must be set" }]);
      }
    } catch (error) {
      const err = SwitchboardError.from(error);
      const internal = !(error instanceof SwitchboardError);
      if (internal) log.error({ err: error, request: m.case }, "kiosk request failed");
      session.send({
        message: {
          case: "error",
          value: {
            requestId,
            code: err.code,
            message: internal ? "internal error" : err.message,
            fieldViolations: [...err.violations],
          },
        },
      });
    }
  }

  async function help(session: KioskSession, request: KioskHelpRequest, log: Logger) {
    const { device } = session;
    checkRequestId(request.requestId, "help_request.request_id");
    const state = stateOf(device.tenant);
    const open = await state.openRequests(device.id);
    if (
      open.length >= settings.maxOpenRequests &&
      !open.some((o) => o.requestId === request.requestId)
    ) {
      metrics.helpRequests.inc({ outcome: "refused" });
      throw new SwitchboardError(
        ErrorCode.ResourceExhausted,
        `this kiosk already has ${open.length} open help requests`,
      );
    }
    let submitted: Awaited<ReturnType<ContactIntake["submit"]>>;
    try {
      const contact = helpContact(settings, device, session.language, request, clock.nowMs());
      submitted = await intake.submit(device.tenant, contact);
    } catch (err) {
      metrics.helpRequests.inc({ outcome: "refused" });
      throw err;
    }
    const { contact, duplicate } = submitted;
    metrics.helpRequests.inc({ outcome: duplicate ? "duplicate" : "created" });
    const owner = { kind: "help" as const, deviceId: device.id, requestId: request.requestId };
    hub.track(device.tenant, contact.id, owner);
    await state.addHelp(device.id, request.requestId, contact.id);
    log.info(
      { contactId: contact.id, requestId: request.requestId, flow: request.flow, duplicate },
      "kiosk help request",
    );
    // Events may have passed before the route existed: send the stored state once.
    await hub.catchUp(
      device.tenant,
      contact.id,
      owner,
      await intake.get(device.tenant, contact.id),
    );
  }

  async function contactOf(session: KioskSession, requestId: string, field: string) {
    checkRequestId(requestId, field);
    const contactId = await stateOf(session.device.tenant).requestContact(
      session.device.id,
      requestId,
    );
    if (contactId === undefined) {
      throw new SwitchboardError(ErrorCode.NotFound, `no help request ${requestId} on this kiosk`);
    }
    return contactId;
  }

  async function cancelHelp(session: KioskSession, requestId: string) {
    const contactId = await contactOf(session, requestId, "cancel_help.request_id");
    // The customer walked away from the kiosk: abandoned, as the KPIs count it.
    await deps.intake.cancel(session.device.tenant, contactId, {
      reason: "customer_left_kiosk",
      abandoned: true,
    });
  }

  async function acceptCallback(session: KioskSession, accept: KioskAcceptCallback) {
    const { tenant } = session.device;
    const contactId = await contactOf(session, accept.requestId, "accept_callback.request_id");
    if (!E164.test(accept.phone)) {
      throw invalidArgument([
        { field: "accept_callback.phone", description: 'E.164, e.g. "+32470123456"' },
      ]);
    }
    const view = await intake.get(tenant, contactId);
    const type = view?.lastEvent?.type;
    if (type !== undefined && (TERMINAL_EVENTS.has(type) || TAKEN.has(type))) {
      throw new SwitchboardError(ErrorCode.FailedPrecondition, "the request is no longer waiting");
    }
    hub.markCallbackAccepted(contactId);
    metrics.callbacks.inc({ outcome: "accepted" });
    // The router answers with CALLBACK_SCHEDULED, which reaches the kiosk as a status; the
    // contact keeps its place and is offered to an agent, who calls the customer back.
    await intake.scheduleCallback(tenant, contactId, {
      phone: accept.phone,
      reason: "kiosk_callback",
    });
  }

  async function fault(session: KioskSession, report: KioskFault, log: Logger) {
    const { device } = session;
    const name = checkFault(report, "fault");
    const state = stateOf(device.tenant);
    const key = faultIdempotencyKey(device.id, name, ids.next());
    const { claim, created } = await state.claimFault(device.id, name, key);
    if (!created) {
      metrics.faults.inc({ outcome: "deduped" });
      session.send({
        message: {
          case: "faultUpdate",
          value: {
            code: report.code,
            contactId: claim.contactId ?? "",
            state: KioskFaultState.ALREADY_REPORTED,
          },
        },
      });
      return;
    }
    let contactId: string;
    try {
      const submitted = await intake.submit(
        device.tenant,
        faultContact(settings, device, report, key, clock.nowMs()),
      );
      contactId = submitted.contact.id;
    } catch (err) {
      // Let the next report try again.
      await state.releaseFault(device.id, name, key);
      metrics.faults.inc({ outcome: "refused" });
      throw err;
    }
    hub.track(device.tenant, contactId, { kind: "fault", deviceId: device.id, fault: name, key });
    await state.setFaultContact(device.id, name, key, contactId);
    metrics.faults.inc({ outcome: "raised" });
    log.info({ contactId, fault: name }, "kiosk fault raised");
    session.send({
      message: {
        case: "faultUpdate",
        value: { code: report.code, contactId, state: KioskFaultState.REPORTED },
      },
    });
  }

  async function faultCleared(session: KioskSession, cleared: KioskFaultCleared, log: Logger) {
    const { device } = session;
    const name = checkFault(cleared, "fault_cleared");
    const state = stateOf(device.tenant);
    const claim = await state.fault(device.id, name);
    let contactId = "";
    if (claim !== undefined) {
      await state.releaseFault(device.id, name, claim.key);
      metrics.faults.inc({ outcome: "cleared" });
      contactId = claim.contactId ?? "";
      if (contactId !== "") {
        // Nobody needs to go out for a fault that is gone, unless a technician already took it.
        const type = (await intake.get(device.tenant, contactId))?.lastEvent?.type;
        if (type === undefined || !(TERMINAL_EVENTS.has(type) || TAKEN.has(type))) {
          await intake.cancel(device.tenant, contactId, { reason: "fault_cleared" });
        }
      }
      log.info({ contactId, fault: name }, "kiosk fault cleared");
    }
    session.send({
      message: {
        case: "faultUpdate",
        value: { code: cleared.code, contactId, state: KioskFaultState.RESOLVED },
      },
    });
  }

  async function csat(session: KioskSession, answer: KioskCsatAnswer) {
    const contactId = await contactOf(session, answer.requestId, "csat_answer.request_id");
    await intake.recordCsat(session.device.tenant, contactId, answer.score);
    metrics.csatAnswers.inc({ score: String(answer.score) });
  }
}

/** `authorization: Bearer <token>` call metadata, if sent. */
function bearerOf(call: Call): string | undefined {
  const [value] = call.metadata.get("authorization");
  if (typeof value !== "string") return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1] ?? "";
}
