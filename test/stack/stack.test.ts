import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ContactIntake,
  ErrorCode,
  type PositionUpdate,
  SwitchboardError,
  subscribePositions,
} from "../../core/index.js";
import type { AdapterFactory } from "../../gateway/index.js";
import {
  Channel,
  ContactEventType,
  ContactSchema,
  ContactService,
  type WatchContactResponse,
} from "../../proto/index.js";
import { waitUntil } from "../harness/index.js";
import { connectAgent, type Stack, startStack } from "./index.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** A minimal adapter: one HTTP route that submits a voice contact, and a record of its life. */
function probeAdapter(life: string[], intakeOut: { intake?: ContactIntake }): AdapterFactory {
  return async (ctx) => {
    life.push("started");
    intakeOut.intake = ctx.intake;
    return {
      name: "phone",
      http: {
        handle(req, res) {
          if (req.url !== "/probe") return false;
          res.writeHead(200, { "content-type": "text/plain" }).end(`probe ${req.method}`);
          return true;
        },
      },
      async stop() {
        life.push("stopped");
      },
    };
  };
}

const voice = (key: string, phone: string) =>
  create(ContactSchema, {
    channel: Channel.VOICE,
    idempotencyKey: key,
    customer: { identifiers: { phone } },
  });

describe("the gateway hosts adapters; intake, positions, callbacks and CSAT end to end", () => {
  it("serves adapter routes, keeps built-in ones, answers unknown upgrades 404, stops adapters on drain", async () => {
    const life: string[] = [];
    stack = await startStack({ adapters: [probeAdapter(life, {})] });
    expect(await (await fetch(`${stack.httpUrl}/probe`, { method: "POST" })).text()).toBe(
      "probe POST",
    );
    expect((await fetch(`${stack.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.httpUrl}/nowhere`)).status).toBe(404);
    const upgrade = await fetch(`${stack.httpUrl}/ws/none`, {
      headers: { connection: "Upgrade", upgrade: "websocket" },
    }).catch((err: unknown) => err);
    // Either a 404 answer or a closed socket: never a hang, never a crash.
    if (upgrade instanceof Response) expect(upgrade.status).toBe(404);
    await stack.stop();
    stack = undefined;
    expect(life).toEqual(["started", "stopped"]);
  });

  it("positions update live, a callback keeps the place, abandon ends, CSAT lands in history", async () => {
    const adapter: { intake?: ContactIntake } = {};
    stack = await startStack({
      adapters: [probeAdapter([], adapter)],
      router: { positionIntervalMs: 50 },
    });
    const intake = adapter.intake!;
    const positions = new Map<string, PositionUpdate>();
    await subscribePositions(stack.bus, (u) => positions.set(u.contactId, u));

    const ids: string[] = [];
    for (let i = 1; i <= 3; i += 1) {
      ids.push((await intake.submit("default", voice(`call-${i}`, `+1555000000${i}`))).contact.id);
    }
    const [first, second, third] = ids as [string, string, string];
    await waitUntil("three positions", () => ids.every((id) => positions.has(id)), 5000);
    expect(ids.map((id) => positions.get(id)?.position)).toEqual([1, 2, 3]);
    expect(positions.get(first)).toMatchObject({ tenant: "default", channel: Channel.VOICE });

    await intake.scheduleCallback("default", second, { phone: "+15550000002" });
    const contacts = stack.client(ContactService);
    await waitUntil(
      "CALLBACK_SCHEDULED",
      async () =>
        (await contacts.getContact({ contactId: second })).lastEvent?.type ===
        ContactEventType.CALLBACK_SCHEDULED,
      5000,
    );
    const record = await contacts.getContact({ contactId: second });
    expect(record.lastEvent?.position).toBe(2);
    const bad = await intake
      .scheduleCallback("default", second, { phone: "555" })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SwitchboardError);
    expect((bad as SwitchboardError).violations[0]?.field).toBe("phone");

    await intake.cancel("default", third, { reason: "caller_hung_up", abandoned: true });
    await waitUntil(
      "ABANDONED",
      async () =>
        (await intake.get("default", third))?.lastEvent?.type === ContactEventType.ABANDONED,
      5000,
    );

    // CSAT before the end is refused; after completion it lands in the customer's history.
    const early = await intake.recordCsat("default", first, 5).catch((e: unknown) => e);
    expect((early as SwitchboardError).code).toBe(ErrorCode.FailedPrecondition);
    const anna = await connectAgent(stack, "anna", { displayName: "Anna" });
    const taken = await anna.acceptNext();
    expect(taken).toBe(first);
    await anna.complete(first);
    await waitUntil(
      "COMPLETED",
      async () =>
        (await intake.get("default", first))?.lastEvent?.type === ContactEventType.COMPLETED,
      5000,
    );
    await intake.recordCsat("default", first, 4);
    const customer = await stack.store
      .forTenant("default")
      .identity.resolve([{ kind: "phone", value: "+15550000001" }]);
    const history = await stack.store.forTenant("default").history.getHistory(customer.customerId);
    expect(history.contacts.find((c) => c.contactId === first)).toMatchObject({
      agentId: "anna",
      csat: 4,
    });
    // The callback contact is next for Anna, in its place.
    expect(await anna.acceptNext()).toBe(second);
    anna.close();
  });

  it("WatchContact sends live position updates while the contact waits", async () => {
    stack = await startStack({ router: { positionIntervalMs: 50 } });
    const contacts = stack.client(ContactService);
    const ids: string[] = [];
    for (let i = 1; i <= 2; i += 1) {
      ids.push(
        (await contacts.submitContact({ contact: voice(`w-${i}`, `+1555100000${i}`) })).contact!.id,
      );
    }
    const watch = contacts.watchContact({ contactId: ids[1]! });
    const seen: WatchContactResponse[] = [];
    watch.on("data", (m: WatchContactResponse) => seen.push(m));
    watch.on("error", () => {});
    await waitUntil("position 2", () => seen.some((m) => m.position?.position === 2), 5000);
    // The first contact is taken: the watched one moves up to 1.
    const anna = await connectAgent(stack, "anna");
    expect(await anna.acceptNext()).toBe(ids[0]);
    await waitUntil("position 1", () => seen.some((m) => m.position?.position === 1), 5000);
    expect(seen.find((m) => m.position !== undefined)?.position).toMatchObject({
      contactId: ids[1],
      channel: Channel.VOICE,
    });
    watch.cancel();
    anna.close();
  });
});
