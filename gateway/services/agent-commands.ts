import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  type Clock,
  ErrorCode,
  ID_PATTERN,
  invalidArgument,
  maxLength,
  range,
  SwitchboardError,
  type Violations,
} from "../../core/index.js";
import {
  type AgentCommand,
  type AgentServiceConnectRequest,
  AgentState,
  type Channel,
} from "../../proto/index.js";
import { MAX_OFFER_TIMEOUT_MS } from "./admin-validation.js";
import type { AgentSession } from "./agent-session.js";

/** The command part of an AgentCommand the desktop may cause. */
export type DesktopCommand = Extract<
  AgentCommand["command"],
  {
    case:
      | "setPresence"
      | "acceptOffer"
      | "rejectOffer"
      | "startWrapUp"
      | "completeContact"
      | "transferContact";
  }
>;

const PRESENCE: ReadonlySet<AgentState> = new Set([
  AgentState.AVAILABLE,
  AgentState.AWAY,
  AgentState.BUSY,
  AgentState.OFFLINE,
]);

const precondition = (message: string) =>
  new SwitchboardError(ErrorCode.FailedPrecondition, message);

function check(out: Violations): void {
  if (out.length > 0) throw invalidArgument(out);
}

/** The contact's channel, when the contact is assigned to this agent; else FAILED_PRECONDITION. */
export function requireAssigned(session: AgentSession, contactId: string): Channel {
  check(contactId === "" ? [{ field: "contact_id", description: "required" }] : []);
  const channel = session.assigned.get(contactId);
  if (channel === undefined) {
    throw precondition(`contact ${contactId} is not assigned to agent ${session.agentId}`);
  }
  return channel;
}

function requirePending(session: AgentSession, offerId: string, clock: Clock): void {
  check(offerId === "" ? [{ field: "offer_id", description: "required" }] : []);
  const offer = session.pendingOffers.get(offerId);
  if (offer === undefined) throw precondition(`offer ${offerId} is not pending for this agent`);
  if (offer.expireAtMs !== undefined && offer.expireAtMs <= clock.nowMs()) {
    session.pendingOffers.delete(offerId);
    throw precondition(`offer ${offerId} expired`);
  }
}

/**
 * Checks one desktop message against the contract and this stream's state, and turns it into
 * the command for the router. Throws INVALID_ARGUMENT (with field violations) or
 * FAILED_PRECONDITION; the caller answers with a CommandError and keeps the stream open.
 */
export function toDesktopCommand(
  request: AgentServiceConnectRequest,
  session: AgentSession,
  clock: Clock,
): DesktopCommand {
  const out: Violations = [];
  maxLength(out, "request_id", request.requestId, 64);
  check(out);
  const { command } = request;
  switch (command.case) {
    case undefined:
      throw invalidArgument([{ field: "command", description: "exactly one command is required" }]);
    case "hello":
      throw precondition("already logged in: hello must be the first message, and only the first");
    case "sendMessage":
    case "setTyping":
      // Conversation commands never reach the router; agent-conversation.ts handles them.
      throw new SwitchboardError(ErrorCode.Internal, `${command.case} is not a router command`);
    case "setPresence":
      if (!PRESENCE.has(command.value.state)) {
        out.push({
          field: "set_presence.state",
          description:
            "must be AVAILABLE, AWAY, BUSY or OFFLINE (WRAP_UP comes with start_wrap_up)",
        });
      }
      maxLength(out, "set_presence.reason", command.value.reason, 64);
      check(out);
      return command;
    case "acceptOffer":
      requirePending(session, command.value.offerId, clock);
      return command;
    case "rejectOffer":
      maxLength(out, "reject_offer.reason", command.value.reason, 64);
      check(out);
      requirePending(session, command.value.offerId, clock);
      return command;
    case "startWrapUp":
      requireAssigned(session, command.value.contactId);
      return command;
    case "completeContact": {
      const d = command.value.disposition;
      if (d === undefined || d.code === "") {
        out.push({ field: "complete_contact.disposition.code", description: "required" });
      } else {
        maxLength(out, "complete_contact.disposition.code", d.code, 64);
        maxLength(out, "complete_contact.disposition.notes", d.notes, 4096);
        range(out, "complete_contact.disposition.csat", d.csat, 0, 5);
      }
      check(out);
      requireAssigned(session, command.value.contactId);
      return command;
    }
    case "transferContact": {
      const { target } = command.value;
      if (target.case === undefined || target.value === "") {
        out.push({
          field: "transfer_contact.target",
          description: "agent_id or queue_id required",
        });
      } else if (!ID_PATTERN.test(target.value)) {
        const field = target.case === "agentId" ? "agent_id" : "queue_id";
        out.push({ field: `transfer_contact.${field}`, description: "1–64 of [A-Za-z0-9._-]" });
      } else if (target.case === "agentId" && target.value === session.agentId) {
        out.push({ field: "transfer_contact.agent_id", description: "must be another agent" });
      }
      maxLength(out, "transfer_contact.reason", command.value.reason, 64);
      maxLength(out, "transfer_contact.note", command.value.note, 4096);
      check(out);
      requireAssigned(session, command.value.contactId);
      return command;
    }
  }
}

/** What this stream remembers once the router has the command. */
export function applyToSession(
  command: DesktopCommand,
  session: AgentSession,
  nowMs: number,
): void {
  switch (command.case) {
    case "acceptOffer": {
      const offer = answer(session, command.value.offerId, nowMs);
      if (offer !== undefined && offer.contactId !== "") {
        session.assigned.set(offer.contactId, offer.channel);
      }
      return;
    }
    case "rejectOffer":
      answer(session, command.value.offerId, nowMs);
      return;
    case "completeContact":
    case "transferContact":
      session.assigned.delete(command.value.contactId);
      return;
    default:
      return;
  }
}

/** Milliseconds of an optional proto timestamp. */
export const msOf = (t: Parameters<typeof timestampMs>[0] | undefined) =>
  t === undefined ? undefined : timestampMs(t);

/** Moves an offer from pending to answered (kept until it expires); returns what was pending. */
function answer(session: AgentSession, offerId: string, nowMs: number) {
  const offer = session.pendingOffers.get(offerId);
  session.pendingOffers.delete(offerId);
  for (const [id, expireAtMs] of session.answeredOffers) {
    if (expireAtMs <= nowMs) session.answeredOffers.delete(id);
  }
  // Without a known expiry, kept for the longest offer timeout a queue may set.
  session.answeredOffers.set(offerId, offer?.expireAtMs ?? nowMs + MAX_OFFER_TIMEOUT_MS);
  return offer;
}
