import type { ChannelStateStore, Store } from "../../core/index.js";

/**
 * What the kiosk adapter must remember across streams, processes and restarts, in the store's
 * channelState (shared by every gateway replica):
 * - `kiosk-request`  <device>:<requestId> → contactId (CSAT answers, cancels, callbacks)
 * - `kiosk-contact`  contactId → the device and request (or fault) it belongs to
 * - `kiosk-open`     <device> → its open help requests (the welcome after a reconnect)
 * - `kiosk-fault`    <device>:<fault> → the open fault contact ({ key, contactId })
 * Everything lives as long as an idempotency key (24 h), so a device that comes back within a
 * day finds its requests, and a fault left open re-opens at most once a day.
 */
export const STATE_TTL_MS = 86_400_000;
const MAX_OPEN = 32;

/** Whom a kiosk contact belongs to: a help request or a fault of one device. */
export type ContactOwner =
  | { readonly kind: "help"; readonly deviceId: string; readonly requestId: string }
  | {
      readonly kind: "fault";
      readonly deviceId: string;
      readonly fault: string;
      readonly key: string;
    };

/** An open fault: its contact's idempotency key, and the contact once submitted. */
export interface FaultClaim {
  readonly key: string;
  readonly contactId?: string;
}

export interface OpenRequest {
  readonly requestId: string;
  readonly contactId: string;
}

export interface KioskState {
  requestContact(deviceId: string, requestId: string): Promise<string | undefined>;
  owner(contactId: string): Promise<ContactOwner | undefined>;
  /** Records a new help request's contact: request → contact, contact → owner, open list. */
  addHelp(deviceId: string, requestId: string, contactId: string): Promise<void>;
  openRequests(deviceId: string): Promise<OpenRequest[]>;
  /** Drops a request from the device's open list (it ended and the device was told). */
  closeHelp(deviceId: string, requestId: string): Promise<void>;
  /** First claim wins: `created` false → the fault already has an open contact. */
  claimFault(
    deviceId: string,
    fault: string,
    key: string,
  ): Promise<{ claim: FaultClaim; created: boolean }>;
  fault(deviceId: string, fault: string): Promise<FaultClaim | undefined>;
  /** Completes a claim with its contact, and the contact's owner. */
  setFaultContact(deviceId: string, fault: string, key: string, contactId: string): Promise<void>;
  /** Releases the claim, only when it still names `key` (a newer claim stays). */
  releaseFault(deviceId: string, fault: string, key: string): Promise<boolean>;
}

export function createKioskState(store: Store, tenant: string): KioskState {
  const state: ChannelStateStore = store.forTenant(tenant).channelState;
  const parse = <T>(raw: string | undefined): T | undefined => {
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  };
  const openRequests = async (deviceId: string): Promise<OpenRequest[]> =>
    parse<OpenRequest[]>(await state.get("kiosk-open", deviceId)) ?? [];
  const faultKeyOf = (deviceId: string, fault: string) => `${deviceId}:${fault}`;
  // A device's open list is read-modified-written by its stream (new requests) and by the
  // event handler (ended ones) of the process holding it: one change at a time per device.
  const chains = new Map<string, Promise<unknown>>();
  const serial = <T>(deviceId: string, change: () => Promise<T>): Promise<T> => {
    const run = (chains.get(deviceId) ?? Promise.resolve()).then(change, change);
    const tail = run.catch(() => {});
    chains.set(deviceId, tail);
    void tail.then(() => {
      if (chains.get(deviceId) === tail) chains.delete(deviceId);
    });
    return run;
  };
  return {
    requestContact: (deviceId, requestId) => state.get("kiosk-request", `${deviceId}:${requestId}`),
    async owner(contactId) {
      return parse<ContactOwner>(await state.get("kiosk-contact", contactId));
    },
    async addHelp(deviceId, requestId, contactId) {
      await state.put("kiosk-request", `${deviceId}:${requestId}`, contactId, STATE_TTL_MS);
      const owner: ContactOwner = { kind: "help", deviceId, requestId };
      await state.put("kiosk-contact", contactId, JSON.stringify(owner), STATE_TTL_MS);
      await serial(deviceId, async () => {
        const open = (await openRequests(deviceId)).filter((o) => o.requestId !== requestId);
        open.push({ requestId, contactId });
        await state.put(
          "kiosk-open",
          deviceId,
          JSON.stringify(open.slice(-MAX_OPEN)),
          STATE_TTL_MS,
        );
      });
    },
    openRequests,
    closeHelp: (deviceId, requestId) =>
      serial(deviceId, async () => {
        const open = await openRequests(deviceId);
        const left = open.filter((o) => o.requestId !== requestId);
        if (left.length === open.length) return;
        if (left.length === 0) await state.delete("kiosk-open", deviceId);
        else await state.put("kiosk-open", deviceId, JSON.stringify(left), STATE_TTL_MS);
      }),
    claimFault: async (deviceId, fault, key) => {
      const { value, created } = await state.claim(
        "kiosk-fault",
        faultKeyOf(deviceId, fault),
        JSON.stringify({ key } satisfies FaultClaim),
        STATE_TTL_MS,
      );
      return { claim: parse<FaultClaim>(value) ?? { key: "" }, created };
    },
    fault: async (deviceId, fault) =>
      parse<FaultClaim>(await state.get("kiosk-fault", faultKeyOf(deviceId, fault))),
    async setFaultContact(deviceId, fault, key, contactId) {
      const owner: ContactOwner = { kind: "fault", deviceId, fault, key };
      await state.put("kiosk-contact", contactId, JSON.stringify(owner), STATE_TTL_MS);
      const claim: FaultClaim = { key, contactId };
      await state.put(
        "kiosk-fault",
        faultKeyOf(deviceId, fault),
        JSON.stringify(claim),
        STATE_TTL_MS,
      );
    },
    async releaseFault(deviceId, fault, key) {
      const current = parse<FaultClaim>(
        await state.get("kiosk-fault", faultKeyOf(deviceId, fault)),
      );
      if (current?.key !== key) return false;
      return state.delete("kiosk-fault", faultKeyOf(deviceId, fault));
    },
  };
}
