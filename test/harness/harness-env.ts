// The one place the harness reads the environment, so which variables matter is obvious.

/** `NATS_URL`, when set: tests use that external NATS instead of starting one. */
export function externalNatsUrl(): string | undefined {
  return nonEmpty(process.env.NATS_URL);
}

/** `REDIS_URL`, when set: tests use that external Redis instead of starting one. */
export function externalRedisUrl(): string | undefined {
  return nonEmpty(process.env.REDIS_URL);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
