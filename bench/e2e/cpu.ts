import { readFileSync } from "node:fs";

/**
 * CPU time a process has used so far (user + system), in ms, from /proc/<pid>/stat; undefined
 * where there is no /proc (then the bench reports no CPU figures). Latency swings with what
 * else the machine runs; CPU per contact hardly does, so it is what to compare between runs.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux the bench runs on.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts measuring `pid`; the returned function gives CPU ms per contact since then. */
export function cpuMeter(pid: number | undefined): (contacts: number) => number | undefined {
  const start = cpuMs(pid);
  return (contacts) => {
    const end = cpuMs(pid);
    if (start === undefined || end === undefined || contacts <= 0) return undefined;
    return Math.round(((end - start) / contacts) * 1000) / 1000;
  };
}
