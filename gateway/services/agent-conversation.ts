import { create } from "@bufbuild/protobuf";
import {
  decodeConversationMessage,
  invalidArgument,
  maxLength,
  pipelineFilters,
  requireRecord,
  type Subscription,
  type Violations,
} from "../../core/index.js";
import {
  type AgentServiceConnectRequest,
  Channel,
  type ConversationMessage,
  ConversationMessageSchema,
  MessageSender,
  TypingIndicatorSchema,
} from "../../proto/index.js";
import { requireAssigned } from "./agent-commands.js";
import type { AgentSession } from "./agent-session.js";
import type { ServiceContext } from "./service-context.js";

type ConversationCommand = Extract<
  AgentServiceConnectRequest["command"],
  { case: "sendMessage" | "setTyping" }
>;

export function isConversationCommand(
  command: AgentServiceConnectRequest["command"],
): command is ConversationCommand {
  return command.case === "sendMessage" || command.case === "setTyping";
}

/**
 * An agent writing to a customer: checked (the agent must hold the contact), kept in the
 * transcript and published durably for the contact's channel adapter, before the ack.
 */
export async function handleConversationCommand(
  ctx: ServiceContext,
  command: ConversationCommand,
  requestId: string,
  session: AgentSession,
): Promise<void> {
  const { contactId } = command.value;
  const field = command.case === "sendMessage" ? "send_message" : "set_typing";
  const out: Violations = [];
  if (command.case === "sendMessage") {
    if (command.value.text.trim() === "") {
      out.push({ field: "send_message.text", description: "required" });
    }
    maxLength(out, "send_message.text", command.value.text, 65_536);
  }
  if (contactId === "") out.push({ field: `${field}.contact_id`, description: "required" });
  if (out.length > 0) throw invalidArgument(out);
  // The channel came with the offer (or the welcome); the record is read only when it did not.
  let channel = requireAssigned(session, contactId);
  if (channel === Channel.UNSPECIFIED) {
    const store = ctx.store.forTenant(session.tenant);
    channel = (await requireRecord(store, contactId)).record.contact?.channel ?? channel;
  }
  if (command.case === "setTyping") {
    ctx.conversations.typing(
      create(TypingIndicatorSchema, {
        contactId,
        tenant: session.tenant,
        channel,
        sender: MessageSender.AGENT,
        agentId: session.agentId,
        typing: command.value.typing,
      }),
    );
    return;
  }
  await ctx.conversations.publish(
    create(ConversationMessageSchema, {
      // A retried command (same request id) is kept and delivered once.
      id: `agent-${session.agentId}-${requestId || ctx.ids.next()}`,
      contactId,
      tenant: session.tenant,
      channel,
      sender: MessageSender.AGENT,
      agentId: session.agentId,
      senderDisplayName: session.displayName,
      text: command.value.text,
    }),
  );
}

/**
 * Customer (and system) messages and customer typing reach the agent holding the contact, when that agent's stream
 * is on this gateway. The holder is found in the sessions' contact index (one lookup, however
 * many agents this gateway holds); a message that arrives while no agent holds
 * the contact stays in the transcript, which the agent receives on accept.
 */
export async function deliverCustomerConversation(
  ctx: ServiceContext,
  sessionsHolding: (tenant: string, contactId: string) => AgentSession | undefined,
): Promise<Subscription[]> {
  const logger = ctx.logger.child({ component: "agent-conversation" });
  const messages = await ctx.bus.subscribe(
    pipelineFilters.messages(ctx.bus.subjects),
    (notification) => {
      const message = decodeConversationMessage(notification.data);
      // The agent's own messages are the channel's business; customer and system notes
      // ("the customer left the chat") are the agent's.
      if (message.sender === MessageSender.AGENT) return;
      sessionsHolding(message.tenant, message.contactId)?.send({
        event: { case: "message", value: message },
      });
    },
  );
  const typing = await ctx.conversations.onTyping((indicator) => {
    if (indicator.sender !== MessageSender.CUSTOMER) return;
    sessionsHolding(indicator.tenant, indicator.contactId)?.send({
      event: { case: "typing", value: indicator },
    });
  });
  logger.debug("delivering customer messages to agent streams");
  return [messages, typing];
}

/** The transcript so far, sent to an agent who just took the contact. */
export async function sendTranscript(
  ctx: ServiceContext,
  session: AgentSession,
  contactId: string,
): Promise<void> {
  const transcript: ConversationMessage[] = await ctx.conversations.transcript(
    session.tenant,
    contactId,
  );
  for (const message of transcript) session.send({ event: { case: "message", value: message } });
}
