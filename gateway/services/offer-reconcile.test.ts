import { describe, expect, it } from "vitest";
import { createLogger, type Reservation, type Store } from "../../core/index.js";
import { Channel } from "../../proto/index.js";
import { type AgentMessage, type AgentSession, reconcileOffers } from "./agent-sessions.js";

const logger = createLogger({ level: "silent" });

function session(offers: string[]): AgentSession & { sent: AgentMessage[] } {
  const sent: AgentMessage[] = [];
  return {
    tenant: "acme",
    agentId: "anna",
    displayName: "Anna",
    pendingOffers: new Map(
      offers.map((id) => [
        id,
        { contactId: `c-${id}`, expireAtMs: undefined, channel: Channel.CHAT },
      ]),
    ),
    assigned: new Map(),
    send: (m) => sent.push(m),
    replaced: new AbortController(),
    sent,
  };
}

function storeWith(states: Record<string, Reservation["state"]>, failing = false): Store {
  return {
    forTenant: () => ({
      reservations: {
        get: async (offerId: string) => {
          if (failing) throw new Error("redis down");
          const state = states[offerId];
          return state === undefined ? undefined : ({ offerId, state } as Reservation);
        },
      },
    }),
  } as unknown as Store;
}

describe("reconcileOffers (after the bus reconnects)", () => {
  it("withdraws on the desktop the offers whose reservation ended, keeps live ones", async () => {
    const s = session(["o1", "o2", "o3", "o4"]);
    const store = storeWith({ o1: "RESERVED", o2: "RELEASED", o3: "CONFIRMED" });
    expect(await reconcileOffers([s], { store }, logger)).toBe(2);
    expect([...s.pendingOffers.keys()]).toEqual(["o1", "o3"]);
    expect(s.sent).toEqual([
      {
        event: {
          case: "offerWithdrawn",
          value: { offerId: "o2", contactId: "c-o2", reason: "ended_while_disconnected" },
        },
      },
      {
        event: {
          case: "offerWithdrawn",
          value: { offerId: "o4", contactId: "c-o4", reason: "ended_while_disconnected" },
        },
      },
    ]);
  });

  it("leaves everything to the offers' timeouts when the store cannot answer", async () => {
    const s = session(["o1"]);
    expect(await reconcileOffers([s], { store: storeWith({}, true) }, logger)).toBe(0);
    expect(s.pendingOffers.size).toBe(1);
    expect(s.sent).toEqual([]);
  });
});
