import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type ContactEvent,
  ContactEventType,
  type ConversationMessage,
  MessageSender,
} from "../../proto/index.js";
import type { ChatMessageFrame, ServerFrame } from "./chat-frames.js";

const ENDED = new Set<ContactEventType>([
  ContactEventType.COMPLETED,
  ContactEventType.ABANDONED,
  ContactEventType.CANCELLED,
]);

/** With an agent: messages flow, and a customer who leaves is not "abandoned" (see hub). */
const WITH_AGENT = new Set<ContactEventType>([
  ContactEventType.ACCEPTED,
  ContactEventType.CONNECTED,
  ContactEventType.WRAP_UP,
]);

export const isEnded = (type: ContactEventType): boolean => ENDED.has(type);
export const isWithAgent = (type: ContactEventType): boolean => WITH_AGENT.has(type);

/** Events that tell the customer something; the rest (CREATED, REJECTED, …) are kept quiet. */
const SHOWN = new Set<ContactEventType>([
  ContactEventType.QUEUED,
  ContactEventType.OFFERED,
  ContactEventType.ACCEPTED,
  ContactEventType.CONNECTED,
  ContactEventType.TRANSFERRED,
  ContactEventType.WRAP_UP,
  ContactEventType.COMPLETED,
  ContactEventType.ABANDONED,
  ContactEventType.CANCELLED,
  ContactEventType.CALLBACK_SCHEDULED,
]);

/**
 * The customer's view of a contact event: a `status` frame (state = the event type in lower
 * case, e.g. "queued" with position and expected wait), or nothing for internal steps.
 */
export function statusFrame(event: ContactEvent, agentName?: string): ServerFrame | undefined {
  if (!SHOWN.has(event.type)) return undefined;
  const frame: Extract<ServerFrame, { type: "status" }> = {
    type: "status",
    state: (ContactEventType[event.type] ?? "unknown").toLowerCase(),
    ended: ENDED.has(event.type),
    sequence: Number(event.sequence),
  };
  if (
    event.type === ContactEventType.QUEUED ||
    event.type === ContactEventType.CALLBACK_SCHEDULED
  ) {
    if (event.position > 0) frame.position = event.position;
    if (event.expectedWait !== undefined) {
      frame.expectedWaitSeconds = Math.round(Number(event.expectedWait.seconds));
    }
  }
  if (agentName !== undefined && WITH_AGENT.has(event.type)) frame.agentName = agentName;
  if (ENDED.has(event.type) && event.reason !== "") frame.reason = event.reason;
  return frame;
}

/** A transcript entry as the customer sees it (agent ids stay inside). */
export function messageFrame(message: ConversationMessage): ChatMessageFrame {
  const from =
    message.sender === MessageSender.AGENT
      ? "agent"
      : message.sender === MessageSender.CUSTOMER
        ? "customer"
        : "system";
  const frame: ChatMessageFrame = {
    type: "message",
    id: message.id,
    from,
    text: message.text,
    time: (message.time === undefined ? new Date(0) : timestampDate(message.time)).toISOString(),
  };
  if (from === "agent") frame.agentName = message.senderDisplayName || "Agent";
  return frame;
}
