/**
 * The next message of a client stream, or "stopped" when `stop` aborts first (drain, a newer
 * stream replacing this one). With `timeout`, rejects with `timeout.error()` after `ms` —
 * e.g. a hello that never came. Listeners and timers are removed whatever wins the race.
 */
export async function nextOrStop<T>(
  incoming: AsyncIterator<T>,
  stop: AbortSignal,
  timeout?: { readonly ms: number; readonly error: () => Error },
): Promise<IteratorResult<T> | "stopped"> {
  if (stop.aborted) return "stopped";
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      incoming.next(),
      new Promise<"stopped">((resolve) => {
        onAbort = () => resolve("stopped");
        stop.addEventListener("abort", onAbort, { once: true });
      }),
      ...(timeout === undefined
        ? []
        : [
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(timeout.error()), timeout.ms);
            }),
          ]),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) stop.removeEventListener("abort", onAbort);
  }
}
