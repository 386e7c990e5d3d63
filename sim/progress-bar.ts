/**
 * A progress bar on stderr for long runs — only when that stream is a terminal, so logs and
 * pipes never get carriage-return noise. Redraws at most every 200 ms of wall time.
 */

export interface ProgressBar {
  update(fraction: number): void;
  done(): void;
}

const NONE: ProgressBar = { update() {}, done() {} };

export function createProgressBar(stream: NodeJS.WritableStream, label: string): ProgressBar {
  if ((stream as { isTTY?: boolean }).isTTY !== true) return NONE;
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(fraction) {
      const now = performance.now();
      if (now - lastDraw < 200) return;
      lastDraw = now;
      const f = Math.min(1, Math.max(0, fraction));
      const width = 30;
      const filled = Math.round(f * width);
      const elapsedS = (now - started) / 1000;
      const eta = f > 0 ? ` ETA ${Math.max(0, elapsedS / f - elapsedS).toFixed(0)} s` : "";
      stream.write(
        `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(f * 100).toFixed(0)}%${eta}  `,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
