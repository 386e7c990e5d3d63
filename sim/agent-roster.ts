/**
 * The simulated workforce: agent groups registered with the engine, logged in and out by
 * their shifts (in each group's time zone), and brought back after the engine set them AWAY
 * for missed offers. Presence changes go to the engine; their effects go back to the caller.
 */
import type { RouterEffect, RouterEngine } from "../router/index.js";
import type { EventQueue } from "./event-queue.js";
import { agentProfile } from "./scenario-normalize.js";
import type { Scenario } from "./scenario-types.js";
import { AGENT_RETURN, SHIFT, type SimAgent } from "./sim-state.js";
import { shiftIntervals, shiftStateAt } from "./week-clock.js";

export interface AgentRoster {
  /** Agents logged in now. */
  readonly staffed: number;
  /** Registers every agent at t = 0 and logs in those on shift. */
  start(): void;
  /** A SHIFT event for group `group` fired. */
  onShiftChange(group: number, nowMs: number): void;
  /** The engine set this agent AWAY for missed offers. */
  onMissedOffers(agentId: string, nowMs: number): void;
  /** An AGENT_RETURN event for agent number `no` fired. */
  onReturn(no: number, nowMs: number): void;
}

export function createAgentRoster(options: {
  readonly scenario: Scenario;
  readonly engine: RouterEngine;
  readonly events: EventQueue;
  readonly apply: (effects: readonly RouterEffect[]) => void;
  /** Called after the number of logged-in agents changed. */
  readonly onStaffed: (nowMs: number) => void;
}): AgentRoster {
  const { scenario, engine, events, apply, onStaffed } = options;
  const agents: SimAgent[] = [];
  const byId = new Map<string, SimAgent>();
  const intervals = scenario.agentGroups.map((g) =>
    shiftIntervals(g.shifts, scenario.startWeekday, g.utcOffsetHours),
  );
  const awayMs = Math.round(scenario.behaviour.awayS * 1000);
  let staffed = 0;

  const setShift = (group: number, on: boolean, nowMs: number) => {
    for (const a of agents) {
      if (a.group !== group || a.onShift === on) continue;
      a.onShift = on;
      a.away = false;
      staffed += on ? 1 : -1;
      const presence = on ? "AVAILABLE" : "OFFLINE";
      apply(engine.setAgentPresence({ nowMs, agentId: a.id, presence }));
    }
    onStaffed(nowMs);
  };
  const follow = (group: number, nowMs: number) => {
    const state = shiftStateAt(nowMs, intervals[group] ?? []);
    setShift(group, state.on, nowMs);
    if (Number.isFinite(state.untilMs)) events.push(state.untilMs, SHIFT, group);
  };

  return {
    get staffed() {
      return staffed;
    },
    start() {
      scenario.agentGroups.forEach((g, group) => {
        for (let i = 0; i < g.count; i++) {
          const a: SimAgent = {
            id: `${g.id}-${i}`,
            no: agents.length,
            group,
            onShift: false,
            away: false,
          };
          agents.push(a);
          byId.set(a.id, a);
          apply(engine.upsertAgent({ nowMs: 0, agent: agentProfile(g, i) }));
        }
        follow(group, 0);
      });
    },
    onShiftChange: follow,
    onMissedOffers(agentId, nowMs) {
      const a = byId.get(agentId);
      if (a === undefined) return;
      a.away = true;
      events.push(nowMs + awayMs, AGENT_RETURN, a.no);
    },
    onReturn(no, nowMs) {
      const a = agents[no];
      if (a === undefined || !a.onShift || !a.away) return;
      a.away = false;
      apply(engine.setAgentPresence({ nowMs, agentId: a.id, presence: "AVAILABLE" }));
    },
  };
}
