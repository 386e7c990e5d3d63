import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { SwitchboardError } from "../../core/index.js";
import { type Contact, ContactSchema, type Disposition } from "../../proto/index.js";
import { createRouterEngine, type RouterEngine, restoreRouterEngine } from "../engine/engine.js";
import type { RouterEngineOptions } from "../engine/options.js";
import type { RouterSnapshot } from "../engine/snapshot.js";

/** What the router knows about a live contact beyond the engine: the proto and its event count. */
export interface ContactEntry {
  contact: Contact;
  /** Sequence of the last published event (0 before CREATED). */
  sequence: number;
  customerId: string | undefined;
  queueId: string;
  /** Set by CompleteContact just before the engine completes the contact. */
  disposition: Disposition | undefined;
  /** Set by a cancel command: the reason its CANCELLED/ABANDONED event carries. */
  endReason: string | undefined;
}

/** A live offer under its bus-visible id. */
export interface OfferEntry {
  readonly offerId: string;
  readonly engineOfferId: string;
  readonly version: number;
  readonly contactId: string;
  readonly agentId: string;
}

/**
 * One partition's whole state, which the snapshot carries. Offer ids on the bus are
 * `<generation>-<engine offer id>`: the generation is the lease token when this line of state
 * began, so ids never repeat across fresh starts, and a replay from a snapshot reproduces them.
 */
export interface PartitionState {
  engine: RouterEngine;
  readonly generation: number;
  /** Last processed stream sequence of the contact and agent command streams. */
  contactsSeq: number;
  agentsSeq: number;
  readonly contacts: Map<string, ContactEntry>;
  readonly agentSequences: Map<string, number>;
  readonly offers: Map<string, OfferEntry>;
  readonly offerByEngineId: Map<string, string>;
}

export function newPartitionState(
  generation: number,
  options: RouterEngineOptions,
): PartitionState {
  return {
    engine: createRouterEngine(options),
    generation,
    contactsSeq: 0,
    agentsSeq: 0,
    contacts: new Map(),
    agentSequences: new Map(),
    offers: new Map(),
    offerByEngineId: new Map(),
  };
}

interface SnapshotData {
  readonly v: 1;
  readonly generation: number;
  readonly contactsSeq: number;
  readonly agentsSeq: number;
  readonly engine: RouterSnapshot;
  readonly contacts: readonly [
    string,
    { c: string; seq: number; customerId?: string; queueId: string },
  ][];
  readonly agentSequences: readonly [string, number][];
  readonly offers: readonly OfferEntry[];
}

/**
 * A live contact's proto, serialized once for every snapshot that carries it: the snapshot is
 * taken every second while contacts pile up, and encoding each again was most of its cost.
 * Whoever changes a contact after it entered the state must call `contactChanged`.
 */
const encodedContacts = new WeakMap<Contact, Uint8Array>();
const base64Contacts = new WeakMap<Contact, string>();

export function contactChanged(contact: Contact): void {
  encodedContacts.delete(contact);
  base64Contacts.delete(contact);
}

/**
 * The contact as protobuf binary, encoded once while it is unchanged: its records and offers
 * splice these bytes in (publish-events.ts) instead of encoding it again each time.
 */
export function contactBytes(contact: Contact): Uint8Array {
  let bytes = encodedContacts.get(contact);
  if (bytes === undefined) {
    bytes = toBinary(ContactSchema, contact);
    encodedContacts.set(contact, bytes);
  }
  return bytes;
}

function encodedContact(contact: Contact): string {
  let encoded = base64Contacts.get(contact);
  if (encoded === undefined) {
    encoded = Buffer.from(contactBytes(contact)).toString("base64");
    base64Contacts.set(contact, encoded);
  }
  return encoded;
}

function restoredContact(encoded: string): Contact {
  const bytes = Buffer.from(encoded, "base64");
  const contact = fromBinary(ContactSchema, bytes);
  encodedContacts.set(contact, bytes);
  base64Contacts.set(contact, encoded);
  return contact;
}

/** Grows with every processed command, so a later snapshot always has the larger seq. */
export const snapshotSeq = (s: PartitionState): number => s.contactsSeq + s.agentsSeq;

export function encodeState(s: PartitionState): Uint8Array {
  const data: Omit<SnapshotData, "engine"> = {
    v: 1,
    generation: s.generation,
    contactsSeq: s.contactsSeq,
    agentsSeq: s.agentsSeq,
    contacts: [...s.contacts].map(([id, e]) => [
      id,
      {
        c: encodedContact(e.contact),
        seq: e.sequence,
        ...(e.customerId === undefined ? {} : { customerId: e.customerId }),
        queueId: e.queueId,
      },
    ]),
    agentSequences: [...s.agentSequences],
    offers: [...s.offers.values()],
  };
  // The engine's part as JSON text, spliced in as the last member: no deep copy of its state.
  const rest = JSON.stringify(data);
  return new TextEncoder().encode(`${rest.slice(0, -1)},"engine":${s.engine.snapshotJson()}}`);
}

export function decodeState(bytes: Uint8Array): PartitionState {
  let data: SnapshotData;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotData;
  } catch (cause) {
    throw new SwitchboardError("INTERNAL", "router snapshot is not valid JSON", { cause });
  }
  if (data.v !== 1)
    throw new SwitchboardError("INTERNAL", `unknown router snapshot version ${String(data.v)}`);
  const offers = new Map(data.offers.map((o) => [o.offerId, o]));
  return {
    engine: restoreRouterEngine(data.engine),
    generation: data.generation,
    contactsSeq: data.contactsSeq,
    agentsSeq: data.agentsSeq,
    contacts: new Map(
      data.contacts.map(([id, e]) => [
        id,
        {
          contact: restoredContact(e.c),
          sequence: e.seq,
          customerId: e.customerId,
          queueId: e.queueId,
          disposition: undefined,
          endReason: undefined,
        },
      ]),
    ),
    agentSequences: new Map(data.agentSequences),
    offers,
    offerByEngineId: new Map([...offers.values()].map((o) => [o.engineOfferId, o.offerId])),
  };
}
