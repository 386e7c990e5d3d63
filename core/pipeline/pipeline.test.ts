import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  AgentCommandSchema,
  AgentServiceConnectResponseSchema,
  Channel,
  ContactCommandSchema,
  ContactSchema,
  RoutingConfigChangedSchema,
} from "../../proto/index.js";
import { createMemoryBus, createSubjectScheme, subjectMatches } from "../bus/index.js";
import { SwitchboardError } from "../errors.js";
import { createLogger } from "../log.js";
import {
  agentCommandSubject,
  agentEventSubject,
  CHANNEL_TOKENS,
  channelFromName,
  channelFromToken,
  channelName,
  channelToken,
  configSubject,
  contactCommandSubject,
  contactEventSubject,
  decodeAgentCommand,
  decodeContactCommand,
  decodeOfferMessage,
  encodeAgentCommand,
  encodeContactCommand,
  encodeOfferMessage,
  encodeRoutingConfigChanged,
  msgIds,
  offerSubject,
  pipelineFilters,
  tenantOfSubject,
} from "./index.js";

const scheme = createSubjectScheme("t1");

describe("pipeline subjects", () => {
  it("builds the spec's subjects under the scheme's root", () => {
    expect(contactCommandSubject(scheme, "acme", Channel.EMAIL)).toBe(
      "t1.contact.acme.email.command",
    );
    expect(contactEventSubject(scheme, "acme", Channel.VOICE)).toBe("t1.contact.acme.voice.event");
    expect(agentCommandSubject(scheme, "acme", "a1")).toBe("t1.agent.acme.a1.command");
    expect(agentEventSubject(scheme, "acme", "a1")).toBe("t1.agent.acme.a1.event");
    expect(offerSubject(scheme, "acme", "a1")).toBe("t1.offer.acme.a1");
    expect(configSubject(scheme, "acme")).toBe("t1.config.acme");
  });

  it("filters match what the builders produce, and only that", () => {
    const cmd = contactCommandSubject(scheme, "acme", Channel.CHAT);
    const evt = contactEventSubject(scheme, "acme", Channel.CHAT);
    expect(subjectMatches(pipelineFilters.contactCommands(scheme), cmd)).toBe(true);
    expect(subjectMatches(pipelineFilters.contactCommands(scheme), evt)).toBe(false);
    expect(subjectMatches(pipelineFilters.contactCommands(scheme, "other"), cmd)).toBe(false);
    expect(
      subjectMatches(
        pipelineFilters.agentCommands(scheme, "acme"),
        agentCommandSubject(scheme, "acme", "x"),
      ),
    ).toBe(true);
    expect(subjectMatches(pipelineFilters.offers(scheme), offerSubject(scheme, "acme", "a"))).toBe(
      true,
    );
    expect(subjectMatches(pipelineFilters.config(scheme), configSubject(scheme, "acme"))).toBe(
      true,
    );
    expect(tenantOfSubject(cmd)).toBe("acme");
  });

  it("refuses tokens that would change the subject's shape", () => {
    expect(() => configSubject(scheme, "a.b")).toThrow(SwitchboardError);
    expect(() => agentCommandSubject(scheme, "acme", "a*")).toThrow(SwitchboardError);
    expect(() => contactCommandSubject(scheme, "acme", Channel.UNSPECIFIED)).toThrow(/channel/);
  });

  it("builds the spec's msgIds", () => {
    expect(msgIds.submit("acme", "k1")).toBe("submit:acme:k1");
    expect(msgIds.cancel("acme", "c1", "r1")).toBe("cancel:acme:c1:r1");
    expect(msgIds.contactEvent("acme", "c1", 3n)).toBe("event:acme:c1:3");
    expect(msgIds.agentCommand("acme", "a1", "r1")).toBe("agent:acme:a1:r1");
    expect(msgIds.agentEvent("acme", "a1", 7)).toBe("agent-event:acme:a1:7");
    expect(msgIds.offer("acme", "o1", "withdrawn")).toBe("offer:acme:o1:withdrawn");
  });
});

describe("channel tokens", () => {
  it("maps every channel both ways", () => {
    for (const token of CHANNEL_TOKENS) {
      const channel = channelFromToken(token);
      expect(channelToken(channel)).toBe(token);
      expect(channelFromName(channelName(channel))).toBe(channel);
    }
    expect(channelName(Channel.KIOSK)).toBe("KIOSK");
    expect(() => channelFromToken("fax")).toThrow(/fax/);
  });
});

describe("codecs", () => {
  it("round-trip commands and offers", () => {
    const submit = create(ContactCommandSchema, {
      requestId: "r1",
      command: {
        case: "submit",
        value: create(ContactSchema, { id: "c1", tenant: "acme", channel: Channel.CHAT }),
      },
    });
    expect(decodeContactCommand(encodeContactCommand(submit))).toEqual(submit);
    const accept = create(AgentCommandSchema, {
      agentId: "a1",
      requestId: "r2",
      command: { case: "acceptOffer", value: { offerId: "o1" } },
    });
    expect(decodeAgentCommand(encodeAgentCommand(accept)).command).toMatchObject({
      case: "acceptOffer",
    });
    const withdrawn = create(AgentServiceConnectResponseSchema, {
      event: {
        case: "offerWithdrawn",
        value: { offerId: "o1", contactId: "c1", reason: "offer_timeout" },
      },
    });
    expect(decodeOfferMessage(encodeOfferMessage(withdrawn))).toEqual(withdrawn);
  });

  it("rejects garbage as INVALID_ARGUMENT (a poison message, not a crash)", () => {
    const error = (() => {
      try {
        decodeContactCommand(new Uint8Array([0xff, 0xff, 0xff]));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe("INVALID_ARGUMENT");
  });
});

describe("config notifications", () => {
  it("travel by notify/subscribe: no stream stores the config subject", async () => {
    const bus = createMemoryBus({ logger: createLogger({ level: "silent" }), subjectRoot: "t2" });
    await bus.ensureStreams();
    const got: string[] = [];
    await bus.subscribe(pipelineFilters.config(bus.subjects), (n) => {
      got.push(n.subject);
    });
    bus.notify(
      configSubject(bus.subjects, "acme"),
      encodeRoutingConfigChanged(create(RoutingConfigChangedSchema)),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(["t2.config.acme"]);
    await bus.close();
  });
});
