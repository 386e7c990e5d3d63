import { invalidArgument } from "../errors.js";
import type { CustomerHistory } from "./history-store.js";

export type IdentifierKind = "phone" | "email" | "webSession" | "kioskCard" | "kioskAccount";
export const IDENTIFIER_KINDS: readonly IdentifierKind[] = [
  "phone",
  "email",
  "webSession",
  "kioskCard",
  "kioskAccount",
];

/** One way to recognize a customer on one channel. */
export interface CustomerIdentifier {
  readonly kind: IdentifierKind;
  readonly value: string;
}

export interface ResolveResult {
  readonly customerId: string;
  /** True when none of the identifiers was known and a new customer was created. */
  readonly created: boolean;
  /** Customers merged into `customerId` by this call (their ids now redirect to it). */
  readonly mergedIds: readonly string[];
}

export interface IdentityStore {
  /**
   * The one customer these identifiers belong to, atomically: unknown identifiers are linked
   * to it, a new customer is created when none is known, and when they point at several
   * customers those are merged into the oldest (the smallest UUIDv7), histories included.
   */
  resolve(identifiers: readonly CustomerIdentifier[]): Promise<ResolveResult>;
  /**
   * `resolve` and then the resolved customer's history (HistoryStore.getHistory), as one
   * atomic call: what a router needs for each arriving contact, in one round trip.
   */
  resolveWithHistory(
    identifiers: readonly CustomerIdentifier[],
  ): Promise<ResolveResult & { readonly history: CustomerHistory }>;
}

const E164 = /^\+[1-9][0-9]{1,14}$/;
const maxValueLength = 320;

/**
 * The identifier as stored: phones must already be E.164 (normalizing national numbers needs
 * the caller's country, which adapters know), emails are lowercased, everything is trimmed.
 */
export function identifierKey(identifier: CustomerIdentifier, field: string): string {
  const { kind } = identifier;
  let value = identifier.value.trim();
  if (!IDENTIFIER_KINDS.includes(kind)) {
    throw invalidArgument([{ field: `${field}.kind`, description: `unknown kind "${kind}"` }]);
  }
  if (kind === "email") value = value.toLowerCase();
  if (value === "" || value.length > maxValueLength) {
    throw invalidArgument([
      { field: `${field}.value`, description: `must be 1–${maxValueLength} characters` },
    ]);
  }
  if (kind === "phone" && !E164.test(value)) {
    throw invalidArgument([{ field: `${field}.value`, description: "phone must be E.164" }]);
  }
  return `${kind}:${value}`;
}
