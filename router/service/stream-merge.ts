import type { Clock } from "../../core/index.js";

export type StreamKind = "contacts" | "agents";

/**
 * Orders a replay of the two command streams (contacts and agents live in different JetStream
 * streams) by the gateway's timestamps, so a standby that replays after a takeover applies the
 * commands in about the order the old leader did and reaches the same decisions. Live traffic
 * (commands younger than `lagMs`) passes straight through: the wait only happens in catch-up.
 * Each stream hands in one command at a time (per-partition ordering of the consumer).
 */
export class StreamMerge {
  private readonly heads = new Map<StreamKind, number>();
  private readonly lastActivityMs = new Map<StreamKind, number>();
  private wake: (() => void)[] = [];
  private lastReplayMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly lagMs: number,
    private readonly idleWaitMs: number,
    startWaitMs: number,
    /**
     * Commands stamped at or after this are live whatever their age: a backlog built up under
     * this leader is not a replay, and holding it to the replay's pace would only deepen it.
     */
    private readonly liveSinceMs = Number.POSITIVE_INFINITY,
  ) {
    // Both consumers start at once but deliver their first message at different moments (a
    // consumer reset can take a while under load): until `startWaitMs` has passed, a stream
    // that said nothing yet counts as active, so the first commands wait for the other's.
    const startedMs = clock.nowMs() + Math.max(0, startWaitMs - idleWaitMs);
    this.lastActivityMs.set("contacts", startedMs);
    this.lastActivityMs.set("agents", startedMs);
  }

  /**
   * Resolves when the command of `kind` stamped `timeMs` may be applied. Fractions of a
   * millisecond count: stamps with micro- or nanoseconds rarely tie.
   */
  async admit(kind: StreamKind, timeMs: number): Promise<void> {
    const other: StreamKind = kind === "contacts" ? "agents" : "contacts";
    this.heads.set(kind, timeMs);
    this.touch(kind);
    if (timeMs >= this.liveSinceMs || this.clock.nowMs() - timeMs < this.lagMs) return;
    this.lastReplayMs = this.clock.nowMs();
    for (;;) {
      const head = this.heads.get(other);
      if (head !== undefined) {
        // Ties go to contacts: a submit and an answer in the same millisecond, submit first.
        if (head < timeMs || (head === timeMs && other === "contacts")) {
          await this.changed(this.idleWaitMs);
          continue;
        }
        return;
      }
      const idleForMs = this.clock.nowMs() - (this.lastActivityMs.get(other) ?? 0);
      if (idleForMs >= this.idleWaitMs) return;
      await this.changed(this.idleWaitMs - idleForMs);
    }
  }

  /** True while old commands are coming in (a catch-up after a takeover). */
  replaying(): boolean {
    return this.clock.nowMs() - this.lastReplayMs < this.idleWaitMs * 2;
  }

  /** The command of `kind` was applied (or given up on). */
  done(kind: StreamKind): void {
    this.heads.delete(kind);
    this.touch(kind);
  }

  private touch(kind: StreamKind): void {
    this.lastActivityMs.set(kind, this.clock.nowMs());
    const waiting = this.wake;
    this.wake = [];
    for (const w of waiting) w();
  }

  private changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, timeoutMs));
      this.wake.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
