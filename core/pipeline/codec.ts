import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  type Agent,
  type AgentCommand,
  AgentCommandSchema,
  type AgentEvent,
  AgentEventSchema,
  AgentSchema,
  type AgentServiceConnectResponse,
  AgentServiceConnectResponseSchema,
  type ContactCommand,
  ContactCommandSchema,
  type ContactEvent,
  ContactEventSchema,
  type ContactRecord,
  ContactRecordSchema,
  type ConversationMessage,
  ConversationMessageSchema,
  type Queue,
  type QueuePositions,
  QueuePositionsSchema,
  QueueSchema,
  type RoutingConfigChanged,
  RoutingConfigChangedSchema,
  type RoutingRule,
  RoutingRuleSchema,
  type TypingIndicator,
  TypingIndicatorSchema,
} from "../../proto/index.js";
import { SwitchboardError } from "../errors.js";

/**
 * Bytes on the bus and in the store are protobuf binary. A payload that does not parse is a
 * poison message: INVALID_ARGUMENT, so consumers dead-letter it with the reason.
 */
function decoder<Desc extends DescMessage>(schema: Desc) {
  return (bytes: Uint8Array): MessageShape<Desc> => {
    try {
      return fromBinary(schema, bytes);
    } catch (cause) {
      throw new SwitchboardError("INVALID_ARGUMENT", `not a valid ${schema.typeName}`, {
        cause,
        violations: [{ field: "payload", description: `not a ${schema.typeName}` }],
      });
    }
  };
}

function encoder<Desc extends DescMessage>(schema: Desc) {
  return (message: MessageShape<Desc>): Uint8Array => toBinary(schema, message);
}

/** An encoded message, or a message field `field` whose value is already encoded. */
export type WirePart = Uint8Array | { readonly field: number; readonly message: Uint8Array };

/**
 * One message from parts encoded separately: protobuf's wire format is a sequence of fields,
 * and a message field is its tag, its length and the message's own bytes. So a message sent
 * inside several others (a contact in its records and offers) is encoded once and spliced in.
 * Give the parts in field-number order and the bytes equal toBinary's of the whole message.
 */
export function spliceMessage(parts: readonly WirePart[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const part of parts) {
    if (part instanceof Uint8Array) writer.raw(part);
    else writer.tag(part.field, WireType.LengthDelimited).bytes(part.message);
  }
  return writer.finish();
}

export const encodeContactCommand: (m: ContactCommand) => Uint8Array =
  encoder(ContactCommandSchema);
export const decodeContactCommand: (b: Uint8Array) => ContactCommand =
  decoder(ContactCommandSchema);
export const encodeContactEvent: (m: ContactEvent) => Uint8Array = encoder(ContactEventSchema);
export const decodeContactEvent: (b: Uint8Array) => ContactEvent = decoder(ContactEventSchema);
export const encodeAgentCommand: (m: AgentCommand) => Uint8Array = encoder(AgentCommandSchema);
export const decodeAgentCommand: (b: Uint8Array) => AgentCommand = decoder(AgentCommandSchema);
export const encodeAgentEvent: (m: AgentEvent) => Uint8Array = encoder(AgentEventSchema);
export const decodeAgentEvent: (b: Uint8Array) => AgentEvent = decoder(AgentEventSchema);
/** Offers and withdrawals travel as the message the gateway forwards to the agent's stream. */
export const encodeOfferMessage: (m: AgentServiceConnectResponse) => Uint8Array = encoder(
  AgentServiceConnectResponseSchema,
);
export const decodeOfferMessage: (b: Uint8Array) => AgentServiceConnectResponse = decoder(
  AgentServiceConnectResponseSchema,
);
export const encodeRoutingConfigChanged: (m: RoutingConfigChanged) => Uint8Array = encoder(
  RoutingConfigChangedSchema,
);
export const decodeRoutingConfigChanged: (b: Uint8Array) => RoutingConfigChanged = decoder(
  RoutingConfigChangedSchema,
);
export const encodeContactRecord: (m: ContactRecord) => Uint8Array = encoder(ContactRecordSchema);
export const decodeContactRecord: (b: Uint8Array) => ContactRecord = decoder(ContactRecordSchema);
/** Configuration items as AdminService stores them in `config.put(kind, id, bytes)`. */
export const encodeAgent: (m: Agent) => Uint8Array = encoder(AgentSchema);
export const decodeAgent: (b: Uint8Array) => Agent = decoder(AgentSchema);
export const encodeQueue: (m: Queue) => Uint8Array = encoder(QueueSchema);
export const decodeQueue: (b: Uint8Array) => Queue = decoder(QueueSchema);
export const encodeRoutingRule: (m: RoutingRule) => Uint8Array = encoder(RoutingRuleSchema);
export const decodeRoutingRule: (b: Uint8Array) => RoutingRule = decoder(RoutingRuleSchema);
export const encodeConversationMessage: (m: ConversationMessage) => Uint8Array =
  encoder(ConversationMessageSchema);
export const decodeConversationMessage: (b: Uint8Array) => ConversationMessage =
  decoder(ConversationMessageSchema);
export const encodeTypingIndicator: (m: TypingIndicator) => Uint8Array =
  encoder(TypingIndicatorSchema);
export const decodeTypingIndicator: (b: Uint8Array) => TypingIndicator =
  decoder(TypingIndicatorSchema);
export const encodeQueuePositions: (m: QueuePositions) => Uint8Array =
  encoder(QueuePositionsSchema);
export const decodeQueuePositions: (b: Uint8Array) => QueuePositions =
  decoder(QueuePositionsSchema);
