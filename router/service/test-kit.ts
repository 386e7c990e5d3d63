import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  agentCommandSubject,
  type Bus,
  type Clock,
  contactCommandSubject,
  decodeContactEvent,
  decodeOfferMessage,
  encodeAgent,
  encodeAgentCommand,
  encodeContactCommand,
  msgIds,
  pipelineFilters,
  type Store,
  type Subscription,
} from "../../core/index.js";
import {
  type AgentCommand,
  AgentCommandSchema,
  AgentConnectedSchema,
  AgentSchema,
  AgentState,
  Channel,
  ContactCommandSchema,
  type ContactEvent,
  ContactEventType,
  ContactSchema,
  CustomerSchema,
  type Offer,
} from "../../proto/index.js";

/**
 * What a gateway does on the bus, for router tests: submits contacts, relays agent commands,
 * and records every contact event and offer the router publishes. Not used in production.
 */
export interface TestGateway {
  readonly events: ContactEvent[];
  readonly offers: Map<string, Offer[]>;
  readonly withdrawn: Set<string>;
  addAgent(agentId: string, options?: { channels?: Channel[]; skills?: string[] }): Promise<void>;
  submit(contactId: string, fields?: MessageInitShape<typeof ContactSchema>): Promise<void>;
  agent(agentId: string, command: AgentCommand["command"], requestId?: string): Promise<void>;
  eventsOf(contactId: string): ContactEventType[];
  close(): void;
}

let requests = 0;

export async function createTestGateway(
  bus: Bus,
  store: Store,
  tenant: string,
  clock: Clock,
): Promise<TestGateway> {
  const events: ContactEvent[] = [];
  const offers = new Map<string, Offer[]>();
  const withdrawn = new Set<string>();
  const seen = new Set<string>();
  const subs: Subscription[] = [
    await bus.subscribe(pipelineFilters.contactEvents(bus.subjects, tenant), (n) => {
      const e = decodeContactEvent(n.data);
      // Subscribers may see a stored message twice around reconnects; keep one per sequence.
      const key = `${e.contactId}:${e.sequence}`;
      if (seen.has(key)) return;
      seen.add(key);
      events.push(e);
    }),
    await bus.subscribe(pipelineFilters.offers(bus.subjects, tenant), (n) => {
      const agentId = n.subject.slice(n.subject.lastIndexOf(".") + 1);
      const m = decodeOfferMessage(n.data);
      if (m.event.case === "offer") {
        const list = offers.get(agentId) ?? [];
        if (!list.some((o) => o.offerId === (m.event.value as Offer).offerId))
          list.push(m.event.value);
        offers.set(agentId, list);
      } else if (m.event.case === "offerWithdrawn") withdrawn.add(m.event.value.offerId);
    }),
  ];
  const t = store.forTenant(tenant);
  return {
    events,
    offers,
    withdrawn,
    async addAgent(agentId, options = {}) {
      const agent = create(AgentSchema, {
        id: agentId,
        skills: (options.skills ?? []).map((skill) => ({ skill, proficiency: 3 })),
        complexityTier: 5,
        channelCapacities: (options.channels ?? []).map((channel) => ({
          channel,
          maxConcurrent: 1,
        })),
      });
      await t.config.put("agent", agentId, encodeAgent(agent));
    },
    async submit(contactId, fields = {}) {
      const contact = create(ContactSchema, fields);
      contact.id = contactId;
      contact.tenant = tenant;
      if (contact.channel === Channel.UNSPECIFIED) contact.channel = Channel.VOICE;
      if (contact.idempotencyKey === "") contact.idempotencyKey = contactId;
      contact.customer ??= create(CustomerSchema, { identifiers: { phone: "+3247000000" } });
      const command = create(ContactCommandSchema, {
        requestId: `r${++requests}`,
        time: timestampFromMs(clock.nowMs()),
        command: { case: "submit", value: contact },
      });
      await bus.publish(
        contactCommandSubject(bus.subjects, tenant, contact.channel),
        encodeContactCommand(command),
        {
          msgId: msgIds.submit(tenant, contact.idempotencyKey),
        },
      );
    },
    async agent(agentId, command, requestId = `r${++requests}`) {
      const message = create(AgentCommandSchema, {
        agentId,
        requestId,
        time: timestampFromMs(clock.nowMs()),
        command,
      });
      await bus.publish(
        agentCommandSubject(bus.subjects, tenant, agentId),
        encodeAgentCommand(message),
        {
          msgId: msgIds.agentCommand(tenant, agentId, requestId),
        },
      );
    },
    eventsOf(contactId) {
      return events
        .filter((e) => e.contactId === contactId)
        .sort((a, b) => Number(a.sequence - b.sequence))
        .map((e) => e.type);
    },
    close() {
      for (const s of subs) s.unsubscribe();
    },
  };
}

export const connected = (state = AgentState.AVAILABLE): AgentCommand["command"] => ({
  case: "connected",
  value: create(AgentConnectedSchema, { gatewayId: "test", initialState: state }),
});

export { ContactEventType };

/** Retries an assertion until it passes or `timeoutMs` ran out (then its last error). */
export async function eventually(assertion: () => unknown, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
