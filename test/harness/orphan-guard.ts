import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

// Servers the harness spawned and data directories it created, so that a test process that
// ends without running its hooks (a crash, process.exit, vitest's SIGTERM to a worker) still
// leaves no server behind.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let installed = false;

/** Tracks a spawned server until `releaseChild`; it is SIGKILLed if this process ends first. */
export function guardChild(child: ChildProcess): void {
  liveChildren.add(child);
  install();
}

export function releaseChild(child: ChildProcess): void {
  liveChildren.delete(child);
}

/** Tracks a temporary directory until `releaseDir`; it is removed if this process ends first. */
export function guardDir(dir: string): void {
  liveDirs.add(dir);
  install();
}

export function releaseDir(dir: string): void {
  liveDirs.delete(dir);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once("exit", cleanUpNow);
  // Node's default SIGTERM action skips 'exit' listeners, and vitest ends its fork workers
  // with SIGTERM. Listening replaces the default action, so re-raise once we are done unless
  // someone else (vitest's own reporter in the main process) also listens and will exit.
  process.once("SIGTERM", () => {
    cleanUpNow();
    if (process.listenerCount("SIGTERM") === 0) process.kill(process.pid, "SIGTERM");
  });
}

function cleanUpNow(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  liveChildren.clear();
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort while exiting: nothing useful can be done with the error now.
    }
  }
  liveDirs.clear();
}
