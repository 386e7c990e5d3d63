import type { Channel } from "./channel.js";

export type AgentState = "OFFLINE" | "AVAILABLE" | "BUSY" | "WRAP_UP" | "AWAY";
export const AGENT_STATES: readonly AgentState[] = [
  "OFFLINE",
  "AVAILABLE",
  "BUSY",
  "WRAP_UP",
  "AWAY",
];

/**
 * Weighted load in thousandths (voice 1000, chat 340, email 200 …): integers, so Redis and
 * JavaScript add and subtract without float drift.
 */
export interface AgentLoad {
  readonly totalMilli: number;
  /** Only channels with load; a missing channel is 0. */
  readonly byChannelMilli: Partial<Record<Channel, number>>;
}

export interface AgentStatus {
  readonly agentId: string;
  /** OFFLINE since 0 for an agent never seen. */
  readonly state: AgentState;
  readonly sinceMs: number;
  /** Written only by the reservation store; read here. */
  readonly load: AgentLoad;
}

export interface AgentStore {
  /** Last write wins: presence events arrive in order per agent on the bus. */
  setState(agentId: string, state: AgentState, sinceMs: number): Promise<void>;
  get(agentId: string): Promise<AgentStatus>;
  /** Every agent that has a state set, ordered by id. */
  list(): Promise<AgentStatus[]>;
}
