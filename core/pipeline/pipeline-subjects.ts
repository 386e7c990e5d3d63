import type { Channel as ProtoChannel } from "../../proto/index.js";
import { checkToken, type SubjectScheme } from "../bus/index.js";
import { channelToken } from "./channel-token.js";

/**
 * Subjects of the gateway ↔ router protocol (core/pipeline/README.md), built on the bus's subject
 * scheme so the configurable root applies everywhere. Both sides build subjects only here.
 */
export const CONTACT_COMMAND = "command";
export const CONTACT_EVENT = "event";
export const AGENT_COMMAND = "command";
export const AGENT_EVENT = "event";

export function contactCommandSubject(
  scheme: SubjectScheme,
  tenant: string,
  channel: ProtoChannel,
): string {
  return scheme.contact(tenant, channelToken(channel), CONTACT_COMMAND);
}

export function contactEventSubject(
  scheme: SubjectScheme,
  tenant: string,
  channel: ProtoChannel,
): string {
  return scheme.contact(tenant, channelToken(channel), CONTACT_EVENT);
}

export function agentCommandSubject(
  scheme: SubjectScheme,
  tenant: string,
  agentId: string,
): string {
  return scheme.agent(tenant, agentId, AGENT_COMMAND);
}

export function agentEventSubject(scheme: SubjectScheme, tenant: string, agentId: string): string {
  return scheme.agent(tenant, agentId, AGENT_EVENT);
}

export function offerSubject(scheme: SubjectScheme, tenant: string, agentId: string): string {
  return scheme.offer(tenant, agentId);
}

/** Fan-out only: no stream captures `<root>.config.>`, so use `bus.notify`/`bus.subscribe`. */
export function configSubject(scheme: SubjectScheme, tenant: string): string {
  checkToken(tenant, "tenant");
  return `${scheme.root}.config.${tenant}`;
}

/** Where a contact's conversation messages (both directions) are stored. */
export function messageSubject(
  scheme: SubjectScheme,
  tenant: string,
  channel: ProtoChannel,
  contactId: string,
): string {
  return scheme.message(tenant, channelToken(channel), contactId);
}

/** Fan-out only (not stored): someone is typing in a contact's conversation. */
export function typingSubject(scheme: SubjectScheme, tenant: string, contactId: string): string {
  checkToken(tenant, "tenant");
  checkToken(contactId, "contactId");
  return `${scheme.root}.typing.${tenant}.${contactId}`;
}

/** Fan-out only (not stored): a partition's live queue positions (QueuePositions). */
export function positionSubject(scheme: SubjectScheme, tenant: string): string {
  checkToken(tenant, "tenant");
  return `${scheme.root}.position.${tenant}`;
}

/** Consumer filter patterns; `tenant` narrows them to one partition. */
export const pipelineFilters = {
  contactCommands: (scheme: SubjectScheme, tenant = "*"): string =>
    `${scheme.root}.contact.${tenant}.*.${CONTACT_COMMAND}`,
  contactEvents: (scheme: SubjectScheme, tenant = "*"): string =>
    `${scheme.root}.contact.${tenant}.*.${CONTACT_EVENT}`,
  agentCommands: (scheme: SubjectScheme, tenant = "*"): string =>
    `${scheme.root}.agent.${tenant}.*.${AGENT_COMMAND}`,
  agentEvents: (scheme: SubjectScheme, tenant = "*"): string =>
    `${scheme.root}.agent.${tenant}.*.${AGENT_EVENT}`,
  offers: (scheme: SubjectScheme, tenant?: string): string =>
    tenant === undefined ? `${scheme.root}.offer.>` : `${scheme.root}.offer.${tenant}.*`,
  config: (scheme: SubjectScheme): string => `${scheme.root}.config.*`,
  /** Conversation messages, optionally of one channel (e.g. the email adapter's consumer). */
  messages: (scheme: SubjectScheme, channel?: ProtoChannel, tenant = "*"): string =>
    `${scheme.root}.message.${tenant}.${channel === undefined ? "*" : channelToken(channel)}.*`,
  typing: (scheme: SubjectScheme, tenant = "*"): string => `${scheme.root}.typing.${tenant}.*`,
  positions: (scheme: SubjectScheme, tenant = "*"): string => `${scheme.root}.position.${tenant}`,
} as const;

/** The tenant token of any pipeline subject (`<root>.<kind>.<tenant>.…`), for partitioning. */
export function tenantOfSubject(subject: string): string {
  const tenant = subject.split(".")[2];
  return tenant ?? "";
}

/** `Nats-Msg-Id`s of the protocol: a retry of the same thing gets the same id. */
export const msgIds = {
  submit: (tenant: string, idempotencyKey: string): string => `submit:${tenant}:${idempotencyKey}`,
  cancel: (tenant: string, contactId: string, requestId: string): string =>
    `cancel:${tenant}:${contactId}:${requestId}`,
  contactEvent: (tenant: string, contactId: string, sequence: number | bigint): string =>
    `event:${tenant}:${contactId}:${sequence}`,
  agentCommand: (tenant: string, agentId: string, requestId: string): string =>
    `agent:${tenant}:${agentId}:${requestId}`,
  agentEvent: (tenant: string, agentId: string, sequence: number | bigint): string =>
    `agent-event:${tenant}:${agentId}:${sequence}`,
  offer: (tenant: string, offerId: string, kind: "offered" | "withdrawn"): string =>
    `offer:${tenant}:${offerId}:${kind}`,
  callback: (tenant: string, contactId: string, requestId: string): string =>
    `callback:${tenant}:${contactId}:${requestId}`,
  message: (tenant: string, contactId: string, messageId: string): string =>
    `message:${tenant}:${contactId}:${messageId}`,
} as const;
