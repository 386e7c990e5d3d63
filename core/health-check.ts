/**
 * Something the process depends on, checked for readiness (NATS, Redis, …). Defined in core so
 * the connections that know how to check themselves need not import the gateway.
 */
export interface HealthCheck {
  readonly name: string;
  /** Resolves when the dependency answered; rejects with the reason otherwise. */
  check(signal: AbortSignal): Promise<void>;
}
