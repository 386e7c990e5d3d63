import type { DescService } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import { ErrorCode, SwitchboardError, type TokenRole } from "../../core/index.js";
import { type ServiceImpl, UNUSED_SIGNAL } from "../grpc/adapter.js";
import type { Authenticator, Principal } from "./authenticator.js";

/** Which services each role may call; admin may call everything. */
const ALLOWED: Readonly<Record<TokenRole, ReadonlySet<string> | "all">> = {
  admin: "all",
  platform: new Set([
    "switchboard.v1.ContactService",
    "switchboard.v1.StatsService",
    "switchboard.v1.KioskService",
  ]),
  agent: new Set(["switchboard.v1.AgentService"]),
};

/** Throws PERMISSION_DENIED unless `principal`'s role may call `service`. */
export function checkRole(principal: Principal, service: DescService): void {
  const allowed = ALLOWED[principal.role];
  if (allowed !== "all" && !allowed.has(service.typeName)) {
    throw new SwitchboardError(
      ErrorCode.PermissionDenied,
      `a ${principal.role} token may not call ${service.typeName}`,
    );
  }
}

/** Throws PERMISSION_DENIED unless `principal` may act for `agentId`. */
export function checkAgent(principal: Principal, agentId: string): void {
  if (principal.role === "agent" && principal.agentId !== agentId) {
    throw new SwitchboardError(
      ErrorCode.PermissionDenied,
      `this agent token acts only for agent ${principal.agentId ?? "(none)"}`,
    );
  }
}

// Calls are grpc-js objects; the principal rides along without touching handler signatures.
const principals = new WeakMap<object, Principal>();

/** The principal `withAuth` attached to this call; undefined only for deferred methods. */
export function principalOf(call: object): Principal | undefined {
  return principals.get(call);
}

/** Like principalOf, for methods that always authenticate up front. */
export function requirePrincipal(call: object): Principal {
  const principal = principals.get(call);
  if (principal === undefined) {
    throw new SwitchboardError(ErrorCode.Internal, "call reached a handler unauthenticated");
  }
  return principal;
}

export interface WithAuthOptions {
  /**
   * Methods (localName) that may start without `authorization` metadata because they carry a
   * token in their first message (AgentService.connect); they must authenticate it themselves.
   */
  readonly deferred?: readonly string[];
}

/**
 * The one place auth happens: every method of `impl` first authenticates the call's bearer
 * token and checks the role may call this service, then runs with `principalOf(call)` set.
 */
export function withAuth<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  auth: Authenticator,
  options: WithAuthOptions = {},
): ServiceImpl<S> {
  const deferred = new Set(options.deferred ?? []);
  type Handler = (call: { metadata: Metadata }, signal: AbortSignal) => Promise<unknown>;
  const methods = impl as unknown as Record<string, Handler>;
  const wrapped: Record<string, unknown> = {};
  for (const method of service.methods) {
    const handler = methods[method.localName];
    if (handler === undefined) continue;
    const optional = deferred.has(method.localName);
    const authenticate = async (call: { metadata: Metadata }) => {
      const principal = await auth.fromMetadata(call.metadata, optional);
      if (principal !== undefined) {
        checkRole(principal, service);
        principals.set(call, principal);
      }
    };
    // Same parameter count as the handler: one that takes no signal still gets none made
    // (see createServiceImplementation).
    wrapped[method.localName] =
      handler.length >= 2
        ? ((async (call, signal) => {
            await authenticate(call);
            return handler.call(impl, call, signal);
          }) satisfies Handler)
        : async (call: { metadata: Metadata }) => {
            await authenticate(call);
            return handler.call(impl, call, UNUSED_SIGNAL);
          };
  }
  return wrapped as unknown as ServiceImpl<S>;
}
