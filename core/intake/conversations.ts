import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type ConversationMessage,
  ConversationMessageSchema,
  MessageSender,
  type TypingIndicator,
} from "../../proto/index.js";
import type { Bus, Subscription } from "../bus/index.js";
import type { Clock } from "../clock.js";
import { invalidArgument } from "../errors.js";
import {
  decodeConversationMessage,
  decodeTypingIndicator,
  encodeConversationMessage,
  encodeTypingIndicator,
  messageSubject,
  msgIds,
  pipelineFilters,
  typingSubject,
} from "../pipeline/index.js";
import type { Store } from "../store/index.js";
import { knownEnum, maxCount, maxLength, type Violations } from "./field-checks.js";

/**
 * A contact's conversation: customer messages (published by channel adapters) and agent
 * messages (published by the gateway from AgentService). Each message is kept in the
 * contact's transcript and stored on `<root>.message.<tenant>.<channel>.<contactId>`; the
 * gateway delivers customer messages to the agent holding the contact, and the contact's
 * channel adapter delivers agent messages (durable consumer: a reply is never lost while its
 * channel is down). Typing indicators are fan-out only.
 */
export interface Conversations {
  /**
   * Validates, keeps the message in the transcript and publishes it; resolves once durable.
   * The same `id` twice is kept and delivered once. Missing `time` → now.
   */
  publish(message: ConversationMessage): Promise<void>;
  /** The contact's transcript, oldest first. */
  transcript(tenant: string, contactId: string): Promise<ConversationMessage[]>;
  /** Tells whoever is connected now that someone started or stopped typing. */
  typing(indicator: TypingIndicator): void;
  /** Receives typing indicators (all tenants). */
  onTyping(handler: (indicator: TypingIndicator) => void): Promise<Subscription>;
}

const MAX_TEXT = 65_536;

export function conversationViolations(message: ConversationMessage): Violations {
  const out: Violations = [];
  if (message.id === "") out.push({ field: "id", description: "required" });
  maxLength(out, "id", message.id, 128);
  if (message.contactId === "") out.push({ field: "contact_id", description: "required" });
  if (message.tenant === "") out.push({ field: "tenant", description: "required" });
  knownEnum(out, "sender", message.sender, MessageSender);
  if (message.sender === MessageSender.AGENT && message.agentId === "") {
    out.push({ field: "agent_id", description: "required for agent messages" });
  }
  if (message.text === "" && message.attachments.length === 0) {
    out.push({ field: "text", description: "required (or at least one attachment)" });
  }
  maxLength(out, "text", message.text, MAX_TEXT);
  maxCount(out, "attachments", message.attachments.length, 50);
  return out;
}

export function createConversations(options: {
  readonly bus: Bus;
  readonly store: Store;
  readonly clock: Clock;
}): Conversations {
  const { bus, store, clock } = options;
  return {
    async publish(input) {
      const violations = conversationViolations(input);
      if (violations.length > 0) throw invalidArgument(violations);
      const message = create(ConversationMessageSchema, input);
      message.time ??= timestampFromMs(clock.nowMs());
      const bytes = encodeConversationMessage(message);
      // Transcript first: whoever receives the published message may read the transcript.
      await store
        .forTenant(message.tenant)
        .contacts.appendMessage(message.contactId, message.id, bytes);
      await bus.publish(
        messageSubject(bus.subjects, message.tenant, message.channel, message.contactId),
        bytes,
        { msgId: msgIds.message(message.tenant, message.contactId, message.id) },
      );
    },
    async transcript(tenant, contactId) {
      const stored = await store.forTenant(tenant).contacts.listMessages(contactId);
      return stored.map(decodeConversationMessage);
    },
    typing(indicator) {
      bus.notify(
        typingSubject(bus.subjects, indicator.tenant, indicator.contactId),
        encodeTypingIndicator(indicator),
      );
    },
    onTyping(handler) {
      return bus.subscribe(pipelineFilters.typing(bus.subjects), (n) => {
        handler(decodeTypingIndicator(n.data));
      });
    },
  };
}
