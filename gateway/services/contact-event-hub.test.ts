import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Bus,
  contactEventSubject,
  createLogger,
  createMemoryBus,
  encodeContactEvent,
  msgIds,
} from "../../core/index.js";
import {
  Channel,
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
} from "../../proto/index.js";
import { type ContactEventHub, startContactEventHub } from "./contact-event-hub.js";

const logger = createLogger({ level: "silent" });
let hub: ContactEventHub | undefined;
let bus: Bus | undefined;
afterEach(async () => {
  hub?.close();
  await bus?.close();
});

/** A memory bus that counts its live contact-event subscriptions. */
async function start() {
  bus = createMemoryBus({ logger });
  await bus.ensureStreams();
  const live = new Map<string, number>();
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = async (pattern, handler) => {
    const subscription = await subscribe(pattern, handler);
    live.set(pattern, (live.get(pattern) ?? 0) + 1);
    return {
      unsubscribe() {
        live.set(pattern, (live.get(pattern) ?? 0) - 1);
        subscription.unsubscribe();
      },
    };
  };
  hub = await startContactEventHub(bus, logger);
  const contactFeeds = () =>
    [...live].filter(([p, n]) => p.includes(".contact.") && n > 0).map(([p]) => p);
  return { bus, hub, contactFeeds };
}

let sequence = 0n;
async function emit(bus: Bus, tenant: string, contactId: string, type = ContactEventType.QUEUED) {
  sequence++;
  const event = create(ContactEventSchema, {
    contactId,
    tenant,
    channel: Channel.CHAT,
    type,
    sequence,
  });
  await bus.publish(
    contactEventSubject(bus.subjects, tenant, Channel.CHAT),
    encodeContactEvent(event),
    { msgId: msgIds.contactEvent(tenant, contactId, sequence) },
  );
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("ContactEventHub", () => {
  it("subscribes to a tenant's events only while one of its contacts is watched", async () => {
    const { bus, hub, contactFeeds } = await start();
    expect(contactFeeds()).toEqual([]);
    const seen: ContactEvent[] = [];
    const unwatchA = await hub.watch("acme", "c-1", (e) => seen.push(e));
    const unwatchB = await hub.watch("acme", "c-2", (e) => seen.push(e));
    expect(contactFeeds()).toEqual([`${bus.subjects.root}.contact.acme.*.event`]);
    await emit(bus, "acme", "c-1");
    await emit(bus, "acme", "c-3");
    await emit(bus, "other", "c-1");
    await settle();
    expect(seen.map((e) => [e.tenant, e.contactId])).toEqual([["acme", "c-1"]]);
    unwatchA();
    unwatchA();
    expect(contactFeeds()).toHaveLength(1);
    unwatchB();
    await settle();
    expect(contactFeeds()).toEqual([]);
    await emit(bus, "acme", "c-1");
    await settle();
    expect(seen).toHaveLength(1);
  });

  it("a contact watched again after its tenant's feed ended gets events again", async () => {
    const { bus, hub, contactFeeds } = await start();
    const seen: string[] = [];
    (await hub.watch("acme", "c-1", () => seen.push("first")))();
    const unwatch = await hub.watch("acme", "c-1", () => seen.push("second"));
    await emit(bus, "acme", "c-1", ContactEventType.COMPLETED);
    await settle();
    expect(seen).toEqual(["second"]);
    unwatch();
    await settle();
    expect(contactFeeds()).toEqual([]);
  });

  it("after the bus reconnects, each watched contact's latest stored event reaches its watchers", async () => {
    bus = createMemoryBus({ logger });
    await bus.ensureStreams();
    let reconnected: (() => void) | undefined;
    bus.onReconnect = (listener) => {
      reconnected = listener;
      return () => {
        reconnected = undefined;
      };
    };
    const stored = create(ContactEventSchema, {
      contactId: "c-1",
      tenant: "acme",
      type: ContactEventType.COMPLETED,
      sequence: 9n,
    });
    const asked: string[] = [];
    hub = await startContactEventHub(bus, logger, async (tenant, contactId) => {
      asked.push(`${tenant}/${contactId}`);
      if (contactId === "c-2") throw new Error("store down");
      return contactId === "c-1" ? stored : undefined;
    });
    const seen: ContactEvent[] = [];
    await hub.watch("acme", "c-1", (e) => seen.push(e));
    await hub.watch("acme", "c-2", (e) => seen.push(e));
    await hub.watch("globex", "c-3", (e) => seen.push(e));
    expect(reconnected).toBeDefined();
    reconnected?.();
    await settle();
    expect(asked.sort()).toEqual(["acme/c-1", "acme/c-2", "globex/c-3"]);
    expect(seen).toEqual([stored]);
    hub.close();
    expect(reconnected).toBeUndefined();
  });

  it("refuses new watchers once closed", async () => {
    const { hub } = await start();
    hub.close();
    await expect(hub.watch("acme", "c-1", () => {})).rejects.toThrow(/shutting down/);
  });
});
