import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  createLogger,
  encodeContactRecord,
  type Reservation,
  type Store,
} from "../../core/index.js";
import { Channel, ContactEventType, ContactRecordSchema, type Offer } from "../../proto/index.js";
import { applyToSession } from "./agent-commands.js";
import type { AgentMessage, AgentSession } from "./agent-session.js";
import { reconcileOffers } from "./offer-reconcile.js";

const logger = createLogger({ level: "silent" });
const NOW = 1_000_000;
const clock = { nowMs: () => NOW };

function session(
  agentId: string,
  offers: string[],
  tenant = "acme",
): AgentSession & { sent: AgentMessage[] } {
  const sent: AgentMessage[] = [];
  return {
    tenant,
    agentId,
    displayName: agentId,
    pendingOffers: new Map(
      offers.map((id) => [
        id,
        { contactId: `c-${id}`, expireAtMs: undefined, channel: Channel.CHAT },
      ]),
    ),
    assigned: new Map(),
    answeredOffers: new Map(),
    send: (m) => sent.push(m),
    replaced: new AbortController(),
    sent,
  };
}

function reservation(
  offerId: string,
  agentId: string,
  state: Reservation["state"] = "RESERVED",
  expiresAtMs = NOW + 20_000,
): Reservation {
  return {
    offerId,
    contactId: `c-${offerId}`,
    agentId,
    channel: "CHAT",
    weightMilli: 340,
    expiresAtMs,
    version: 1,
    state,
  };
}

/** A store with these active reservations per tenant; each contact's latest event is its OFFERED. */
function storeWith(active: Record<string, Reservation[]>, failing = false) {
  const reads: string[] = [];
  const store = {
    forTenant: (tenant: string) => ({
      reservations: {
        listActiveForAgent: async (agentId: string) => {
          if (failing) throw new Error("redis down");
          return (active[tenant] ?? []).filter((r) => r.agentId === agentId);
        },
      },
      contacts: {
        getRecord: async (contactId: string) => {
          reads.push(contactId);
          const offerId = contactId.slice(2);
          const record = create(ContactRecordSchema, {
            contact: { id: contactId, tenant, channel: Channel.CHAT },
            lastEvent: {
              type: ContactEventType.OFFERED,
              contactId,
              offerId,
              decision: { reason: `why ${offerId}` },
            },
          });
          return { record: encodeContactRecord(record), sequence: 2 };
        },
      },
    }),
  } as unknown as Store;
  return { store, reads };
}

const offered = (m: AgentMessage): Offer | undefined => {
  const e = "event" in m ? m.event : undefined;
  return e?.case === "offer" ? (e.value as Offer) : undefined;
};

describe("reconcileOffers (after the bus reconnects)", () => {
  it("withdraws on the desktop the offers whose reservation ended, keeps live ones", async () => {
    const s = session("anna", ["o1", "o2", "o3", "o4"]);
    const { store } = storeWith({
      acme: [reservation("o1", "anna"), reservation("o3", "anna", "CONFIRMED")],
    });
    expect(await reconcileOffers([s], { store, clock, logger })).toEqual({
      withdrawn: 2,
      offered: 0,
    });
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

  it("offers what was reserved for the agent while the desktop could not hear it", async () => {
    const anna = session("anna", ["o1"]);
    const bob = session("bob", []);
    bob.answeredOffers.set("o5", NOW + 10_000); // accepted, not yet confirmed by the router
    bob.answeredOffers.set("o6", NOW + 10_000); // rejected, not yet released by the router
    bob.assigned.set("c-o10", Channel.CHAT); // held under an earlier offer: o10 is a new one
    const { store, reads } = storeWith({
      acme: [
        reservation("o1", "anna"), // on the desktop already
        reservation("o2", "anna"), // missed
        reservation("o3", "carl"), // an agent on another gateway
        reservation("o4", "bob", "RESERVED", NOW - 1), // expired
        reservation("o5", "bob"),
        reservation("o6", "bob"),
        reservation("o7", "bob", "CONFIRMED"),
        reservation("o8", "bob"), // missed, but withdrawn during the reconcile
        reservation("o9", "bob"), // missed
        reservation("o10", "bob"), // missed
      ],
    });
    const result = await reconcileOffers([anna, bob], { store, clock, logger }, new Set(["o8"]));
    expect(result).toEqual({ withdrawn: 0, offered: 3 });
    expect(reads.sort()).toEqual(["c-o10", "c-o2", "c-o9"]);
    const annaOffer = offered(anna.sent[0] as AgentMessage);
    expect(annaOffer?.offerId).toBe("o2");
    expect(annaOffer?.contact?.id).toBe("c-o2");
    expect(annaOffer?.decision?.reason).toBe("why o2");
    expect(Number(annaOffer?.expireTime?.seconds)).toBe((NOW + 20_000) / 1000);
    expect(anna.pendingOffers.get("o2")).toEqual({
      contactId: "c-o2",
      channel: Channel.CHAT,
      expireAtMs: NOW + 20_000,
    });
    expect(bob.sent.map((m) => offered(m)?.offerId)).toEqual(["o9", "o10"]);
    expect([...bob.pendingOffers.keys()]).toEqual(["o9", "o10"]);
  });

  it("keeps tenants apart", async () => {
    const a = session("anna", [], "acme");
    const b = session("anna", [], "globex");
    const { store } = storeWith({ acme: [reservation("o1", "anna")] });
    expect(await reconcileOffers([a, b], { store, clock, logger })).toEqual({
      withdrawn: 0,
      offered: 1,
    });
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toEqual([]);
  });

  it("leaves everything to the offers' timeouts when the store cannot answer", async () => {
    const s = session("anna", ["o1"]);
    const { store } = storeWith({}, true);
    expect(await reconcileOffers([s], { store, clock, logger })).toEqual({
      withdrawn: 0,
      offered: 0,
    });
    expect(s.pendingOffers.size).toBe(1);
    expect(s.sent).toEqual([]);
  });

  it("remembers an accepted or rejected offer until it expires, so the store's late answer does not bring it back", () => {
    const s = session("anna", ["o1", "o2", "o3"]);
    s.pendingOffers.set("o1", {
      contactId: "c-o1",
      expireAtMs: NOW + 5_000,
      channel: Channel.CHAT,
    });
    applyToSession({ case: "rejectOffer", value: { offerId: "o1" } } as never, s, NOW);
    expect(s.pendingOffers.has("o1")).toBe(false);
    expect([...s.answeredOffers]).toEqual([["o1", NOW + 5_000]]);
    applyToSession({ case: "acceptOffer", value: { offerId: "o3" } } as never, s, NOW + 1_000);
    expect(s.assigned.get("c-o3")).toBe(Channel.CHAT);
    // o2 has no known expiry: kept for the longest offer timeout; o1 is dropped once expired.
    applyToSession({ case: "rejectOffer", value: { offerId: "o2" } } as never, s, NOW + 5_000);
    expect([...s.answeredOffers]).toEqual([
      ["o3", NOW + 1_000 + 600_000],
      ["o2", NOW + 5_000 + 600_000],
    ]);
  });
});
