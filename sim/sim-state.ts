/**
 * The simulator's own bookkeeping: event kinds, what it knows about each live contact and
 * agent, and a bounded memory of each customer's last completed contact. None of it copies
 * routing logic; it only mirrors what the engine's effects said.
 */

export const ARRIVAL = 0;
export const PATIENCE = 1;
export const ACCEPT = 2;
export const REJECT = 3;
export const HANDLE_END = 4;
export const WRAP_END = 5;
export const TICK_OFFER = 6;
export const TICK_WAITING = 7;
export const TICK_WRAP = 8;
export const SHIFT = 9;
export const AGENT_RETURN = 10;

export const WAITING = 0;
export const OFFERED = 1;
export const CONNECTED = 2;
export const WRAPPING = 3;

export interface SimContact {
  readonly no: number;
  readonly id: string;
  readonly arrivalMs: number;
  readonly channel: string;
  readonly weight: number;
  readonly handleMs: number;
  readonly wrapMs: number;
  readonly customerId: string;
  readonly repeat: boolean;
  readonly prevAgentId: string | null;
  state: number;
  queueId: string;
  queuedAtMs: number;
  queuedOnArrival: boolean;
  offerId: string;
  offerVersion: number;
  agentId: string | null;
  connectedMs: number;
  rejected: number;
  expired: number;
}

export interface SimAgent {
  readonly id: string;
  readonly no: number;
  readonly group: number;
  onShift: boolean;
  away: boolean;
}

/** Engine deadlines per queue that the simulator must tick at (ms after enqueue). */
export interface QueueTiming {
  readonly stepsAfterMs: readonly number[];
  readonly phaseEndsMs: readonly number[];
}

export interface LastContact {
  readonly agentId: string;
  readonly endedMs: number;
}

export interface CustomerMemory {
  get(customerId: string): LastContact | undefined;
  set(customerId: string, last: LastContact): void;
}

/**
 * Remembers between `capacity` and 2 × `capacity` customers in two generations; the older is
 * dropped whole when the newer fills up. (Evicting the oldest key of one Map through
 * keys().next() degrades to O(deleted keys) per call in V8 — tens of µs at 100 000 entries.)
 */
export function createCustomerMemory(capacity: number): CustomerMemory {
  let recent = new Map<string, LastContact>();
  let older = new Map<string, LastContact>();
  return {
    get: (id) => recent.get(id) ?? older.get(id),
    set(id, last) {
      recent.set(id, last);
      if (recent.size >= capacity) {
        older = recent;
        recent = new Map();
      }
    },
  };
}
