import { create, fromBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  decodeContactEvent,
  decodeContactRecord,
  encodeContactEvent,
  encodeContactRecord,
  encodeOfferMessage,
} from "../../core/index.js";
import {
  AgentSchema,
  AgentServiceConnectResponseSchema,
  Channel,
  ContactEventType,
  ContactRecordSchema,
  ContactSchema,
  DispositionSchema,
  IntermediaryKind,
  QueueSchema,
  RoutingRuleSchema,
} from "../../proto/index.js";
import type { RoutingDecision } from "../engine/decision.js";
import { createRouterEngine } from "../engine/engine.js";
import { agentToProfile, buildRoutingConfig } from "./config-mapping.js";
import { contactToInput, historyToEngine } from "./contact-mapping.js";
import { contactEvent, decisionBytes, decisionToProto, encodeEvent } from "./event-mapping.js";
import { contactBytes, contactChanged } from "./partition-state.js";
import { encodeOffer, encodeRecord } from "./publish-events.js";

describe("proto → engine mapping", () => {
  it("maps a contact with proto defaults turned into engine defaults", () => {
    const contact = create(ContactSchema, {
      id: "c1",
      channel: Channel.CHAT,
      requiredSkills: [{ skill: "billing", minProficiency: 0 }],
      complexity: 0,
      priority: 7,
      language: "fr",
      intermediary: { kind: IntermediaryKind.BROKER, id: "b1", present: true },
      account: { id: "acc", institutional: true },
      customer: { id: "crm-1" },
      channelMetadata: { "chat.page": "/pricing" },
    });
    expect(contactToInput(contact)).toEqual({
      id: "c1",
      channel: "CHAT",
      requiredSkills: [{ skill: "billing", minProficiency: 1 }],
      optionalSkills: [],
      complexity: 1,
      priority: 7,
      language: "fr",
      intermediary: { kind: "BROKER", id: "b1", present: true },
      account: { id: "acc", institutional: true },
      customerId: "crm-1",
      attributes: { "chat.page": "/pricing" },
    });
    expect(contactToInput(contact, "resolved").customerId).toBe("resolved");
  });

  it("maps stored history and the submitter's preferred agent", () => {
    const contact = create(ContactSchema, {
      id: "c1",
      channel: Channel.VOICE,
      preferredAgentId: "anna",
    });
    const history = historyToEngine(
      {
        customerId: "cu",
        contacts: [
          {
            contactId: "old",
            channel: "VOICE",
            queueId: "q",
            agentId: "bob",
            outcome: "ok",
            completedAtMs: 500,
          },
        ],
        lastAgents: [{ agentId: "bob", lastContactMs: 500 }],
      },
      contact,
    );
    expect(history).toEqual({
      lastAgents: [{ agentId: "bob", endedAtMs: 500 }],
      lastContactEndedAtMs: 500,
      openCaseOwnerAgentId: "anna",
    });
    expect(historyToEngine(undefined, create(ContactSchema, { id: "c2" }))).toBeUndefined();
  });

  it("maps an agent's capacities to engine weights", () => {
    const agent = create(AgentSchema, {
      id: "a1",
      skills: [{ skill: "billing", proficiency: 4 }],
      complexityTier: 0,
      channelCapacities: [
        { channel: Channel.CHAT, maxConcurrent: 3 },
        { channel: Channel.EMAIL, maxConcurrent: 5, loadWeight: 20 },
      ],
      team: "emea",
      authorizations: { intermediaryKinds: [IntermediaryKind.CARER], accountIds: ["acc"] },
    });
    const profile = agentToProfile(agent);
    expect(profile).toMatchObject({
      id: "a1",
      complexityTier: 1,
      channels: ["CHAT", "EMAIL"],
      channelWeights: { CHAT: 0.333, EMAIL: 0.2 },
      team: "emea",
      authorizations: { intermediaryKinds: ["CARER"], intermediaryIds: [], accountIds: ["acc"] },
    });
    // No capacities: every channel, so a new agent is usable at once.
    expect(agentToProfile(create(AgentSchema, { id: "a2" })).channels).toBeUndefined();
  });

  it("builds a routing config the engine accepts, skipping disabled and dangling rules", () => {
    const queues = [
      create(QueueSchema, {
        id: "vip",
        priority: 10,
        priorityAgingPerMinute: 6,
        offerTimeout: durationFromMs(15_000),
        escalationSteps: [
          { after: durationFromMs(30_000), overflowQueueId: "default" },
          { after: durationFromMs(10_000), lowerMinProficiencyBy: 1 },
        ],
      }),
    ];
    const rules = [
      create(RoutingRuleSchema, {
        id: "r2",
        order: 2,
        queueId: "vip",
        match: { channels: [Channel.VOICE], institutional: true },
      }),
      create(RoutingRuleSchema, { id: "r1", order: 1, queueId: "missing" }),
      create(RoutingRuleSchema, { id: "r0", order: 0, queueId: "vip", disabled: true }),
    ];
    const { routing, skippedRuleIds } = buildRoutingConfig(queues, rules);
    expect(skippedRuleIds).toEqual(["r1"]);
    expect(routing.rules).toEqual([
      { id: "r2", queueId: "vip", when: { channels: ["VOICE"], institutional: true } },
    ]);
    const vip = routing.queues.find((q) => q.id === "vip");
    expect(vip).toMatchObject({ agingIntervalMs: 10_000, offerTimeoutMs: 15_000, wrapUpMs: 0 });
    expect(vip?.escalation?.map((s) => s.afterMs)).toEqual([10_000, 30_000]);
    expect(routing.defaultQueueId).toBe("default");
    const engine = createRouterEngine();
    expect(() => engine.configure({ nowMs: 0, routing })).not.toThrow();
  });
});

describe("spliced encodings (publish-events.ts)", () => {
  const contact = create(ContactSchema, {
    id: "c9",
    tenant: "acme",
    channel: Channel.EMAIL,
    requiredSkills: [{ skill: "billing", minProficiency: 2 }],
    customer: { identifiers: { email: "ann@example.com" } },
    channelMetadata: { "email.subject": "Refund", "email.thread": "<a@b>" },
  });
  const decision: RoutingDecision = {
    direction: "CONTACT_TO_AGENT",
    atMs: 1_700_000_000_123,
    contactId: "c9",
    channel: "EMAIL",
    ruleId: "r1",
    queueId: "billing",
    escalationStep: 1,
    phase: "OPEN",
    candidatesConsidered: 3,
    winnerAgentId: "anna",
    score: 12.5,
    scoreTerms: [{ name: "idle", value: 12.5, weight: 1 }],
    exclusions: [],
    reason: "best of 3 ready agent(s) examined",
  };

  it("a record from cached contact bytes and the published event's bytes is toBinary's record", () => {
    const event = contactEvent(
      { tenant: "acme", contactId: "c9", channel: Channel.EMAIL, sequence: 4, atMs: 1000 },
      ContactEventType.OFFERED,
      { agentId: "anna", offerId: "o1", decision },
    );
    const spliced = encodeRecord(contact, encodeContactEvent(event), 4);
    const whole = encodeContactRecord(
      create(ContactRecordSchema, { contact, lastEvent: event, sequence: 4n }),
    );
    expect(spliced).toEqual(whole);
    expect(decodeContactRecord(spliced).contact?.channelMetadata["email.subject"]).toBe("Refund");
  });

  it("an event with the decision's cached bytes spliced in is toBinary's event, for every field set", () => {
    const base = {
      tenant: "acme",
      contactId: "c9",
      channel: Channel.EMAIL,
      sequence: 4,
      atMs: 1000,
    };
    const details = {
      agentId: "anna",
      queueId: "billing",
      position: 2,
      expectedWaitMs: 30_000,
      offerId: "o1",
      transferAgentId: "bob",
      transferQueueId: "vip",
      reason: "why",
      disposition: create(DispositionSchema, { code: "solved", resolved: true }),
    };
    const spliced = encodeEvent(contactEvent(base, ContactEventType.OFFERED, details), decision);
    const whole = encodeContactEvent(
      contactEvent(base, ContactEventType.OFFERED, { ...details, decision }),
    );
    expect(spliced).toEqual(whole);
    expect(decodeContactEvent(spliced).decision?.scoreTerms[0]?.name).toBe("idle_time");
    expect(decisionBytes(decision)).toBe(decisionBytes(decision));
    const plain = contactEvent(base, ContactEventType.CONNECTED, { agentId: "anna" });
    expect(encodeEvent(plain, undefined)).toEqual(encodeContactEvent(plain));
  });

  it("an offer with the contact spliced in is toBinary's offer message", () => {
    const offer = { offerId: "o1", expiresAtMs: 1_700_000_030_123, decision };
    const whole = encodeOfferMessage(
      create(AgentServiceConnectResponseSchema, {
        event: {
          case: "offer",
          value: {
            offerId: offer.offerId,
            contact,
            decision: decisionToProto(decision),
            expireTime: timestampFromMs(offer.expiresAtMs),
          },
        },
      }),
    );
    expect(encodeOffer(contact, offer)).toEqual(whole);
  });

  it("a changed contact is encoded again once contactChanged is called", () => {
    const c = create(ContactSchema, { id: "c10", channelMetadata: { a: "1" } });
    const before = contactBytes(c);
    c.channelMetadata.a = "2";
    expect(contactBytes(c)).toBe(before);
    contactChanged(c);
    expect(fromBinary(ContactSchema, contactBytes(c)).channelMetadata.a).toBe("2");
  });
});
