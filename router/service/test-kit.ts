import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  agentCommandSubject,
  type Bus,
  type Clock,
  type Consumer,
  contactCommandSubject,
  decodeContactEvent,
  decodeOfferMessage,
  encodeAgent,
  encodeAgentCommand,
  encodeContactCommand,
  msgIds,
  pipelineFilters,
  type Store,
  systemClock,
} from "../../core/index.js";
import {
  AcceptOfferSchema,
  type AgentCommand,
  AgentCommandSchema,
  AgentConnectedSchema,
  AgentSchema,
  AgentState,
  Channel,
  CompleteContactSchema,
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
  close(): Promise<void>;
}

let requests = 0;

export interface TestGatewayOptions {
  /** Called once per event (stream sequence), e.g. to let a fake agent complete the contact. */
  readonly onEvent?: (event: ContactEvent) => Promise<void>;
  readonly onOffer?: (agentId: string, offer: Offer) => Promise<void>;
}

let gateways = 0;

/**
 * Microsecond stamps, as a gateway should stamp commands: the router orders a replay by them,
 * and millisecond stamps tie too often. Tests on a manual clock get its whole milliseconds.
 */
function preciseNow(clock: Clock): Timestamp {
  const ms = clock === systemClock ? performance.timeOrigin + performance.now() : clock.nowMs();
  return create(TimestampSchema, {
    seconds: BigInt(Math.floor(ms / 1000)),
    nanos: Math.floor((ms % 1000) * 1e6),
  });
}

/** Fake agent desktops: accept every offer at once, complete every contact once connected. */
export function autoAgents(gateway: () => TestGateway, thinkMs = 0): TestGatewayOptions {
  // A desktop needs a moment to answer; 0 answers at once.
  const think = (): Promise<void> =>
    thinkMs === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, thinkMs));
  return {
    onOffer: async (agentId, offer) => {
      await think();
      const value = create(AcceptOfferSchema, { offerId: offer.offerId });
      await gateway().agent(agentId, { case: "acceptOffer", value }, `acc-${offer.offerId}`);
    },
    onEvent: async (event) => {
      if (event.type !== ContactEventType.CONNECTED) return;
      await think();
      const value = create(CompleteContactSchema, {
        contactId: event.contactId,
        disposition: { code: "resolved" },
      });
      await gateway().agent(
        event.agentId,
        { case: "completeContact", value },
        `done-${event.contactId}`,
      );
    },
  };
}

export async function createTestGateway(
  bus: Bus,
  store: Store,
  tenant: string,
  clock: Clock,
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const events: ContactEvent[] = [];
  const offers = new Map<string, Offer[]>();
  const withdrawn = new Set<string>();
  const seen = new Set<string>();
  // Durable consumers, not subscriptions: they survive a NATS restart without missing messages.
  const name = `gw-${tenant}-${++gateways}`;
  const consumers: Consumer[] = [
    await bus.consume(
      {
        durable: `${name}-events`,
        filterSubjects: [pipelineFilters.contactEvents(bus.subjects, tenant)],
        backoffMs: [100],
      },
      async (m) => {
        const e = decodeContactEvent(m.data);
        const key = `${m.seq}`;
        if (seen.has(key)) return;
        // Only once handled: a failing callback (bus down) gets the message again.
        await options.onEvent?.(e);
        seen.add(key);
        events.push(e);
      },
    ),
    await bus.consume(
      {
        durable: `${name}-offers`,
        filterSubjects: [pipelineFilters.offers(bus.subjects, tenant)],
        backoffMs: [100],
      },
      async (m) => {
        const agentId = m.subject.slice(m.subject.lastIndexOf(".") + 1);
        const message = decodeOfferMessage(m.data);
        if (message.event.case === "offer") {
          const offer = message.event.value;
          const list = offers.get(agentId) ?? [];
          if (list.some((o) => o.offerId === offer.offerId)) return;
          await options.onOffer?.(agentId, offer);
          list.push(offer);
          offers.set(agentId, list);
        } else if (message.event.case === "offerWithdrawn")
          withdrawn.add(message.event.value.offerId);
      },
    ),
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
        time: preciseNow(clock),
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
        time: preciseNow(clock),
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
    async close() {
      await Promise.all(consumers.map((c) => c.stop()));
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
