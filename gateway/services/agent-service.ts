import { create } from "@bufbuild/protobuf";
import {
  agentCommandSubject,
  decodeAgent,
  ErrorCode,
  encodeAgentCommand,
  invalidArgument,
  msgIds,
  SwitchboardError,
} from "../../core/index.js";
import {
  AgentCommandSchema,
  AgentService,
  type AgentServiceConnectRequest,
  AgentState,
  Channel,
} from "../../proto/index.js";
import { checkAgent, checkRole, principalOf } from "../auth/index.js";
import type { ServiceImpl } from "../grpc/adapter.js";
import { nextOrStop } from "../grpc/next-or-stop.js";
import { applyToSession, type DesktopCommand, toDesktopCommand } from "./agent-commands.js";
import {
  handleConversationCommand,
  isConversationCommand,
  sendTranscript,
} from "./agent-conversation.js";
import type { AgentSession } from "./agent-session.js";
import type { AgentSessions } from "./agent-sessions.js";
import { restoreAssignments } from "./agent-welcome.js";
import { requireItem } from "./config-items.js";
import type { ServiceContext } from "./service-context.js";

export interface AgentServiceOptions {
  /** The first message must be `hello` within this long. */
  readonly helloTimeoutMs: number;
}

type Call = Parameters<ServiceImpl<typeof AgentService>["connect"]>[0];

/**
 * AgentService.Connect: hello → welcome, then each desktop command is validated, published on
 * the agent's command subject (durably, before the ack) and answered with an ack or a
 * CommandError that keeps the stream open. Offers, withdrawals and state changes arrive through
 * AgentSessions. The stream ends on OFFLINE, when the desktop closes it, when a newer stream
 * for the same agent replaces it (ALREADY_EXISTS), or when the gateway drains.
 */
export function createAgentService(
  ctx: ServiceContext,
  sessions: AgentSessions,
  options: AgentServiceOptions,
): ServiceImpl<typeof AgentService> {
  const logger = ctx.logger.child({ component: "agent-service" });

  const publish = async (
    tenant: string,
    agentId: string,
    requestId: string,
    command: AgentCommandCase,
  ) => {
    const message = create(AgentCommandSchema, {
      agentId,
      requestId,
      time: ctx.commandTime(),
      command,
    });
    await ctx.bus.publish(
      agentCommandSubject(ctx.bus.subjects, tenant, agentId),
      encodeAgentCommand(message),
      { msgId: msgIds.agentCommand(tenant, agentId, requestId) },
    );
  };

  return {
    async connect(call: Call, signal) {
      const stop = AbortSignal.any([signal, ctx.shutdown]);
      const incoming = call[Symbol.asyncIterator]() as AsyncIterator<AgentServiceConnectRequest>;
      const first = await nextOrStop(incoming, stop, {
        ms: options.helloTimeoutMs,
        error: () =>
          new SwitchboardError(
            ErrorCode.DeadlineExceeded,
            `no hello within ${options.helloTimeoutMs} ms`,
          ),
      });
      if (first === "stopped" || first.done) return;
      const { command, requestId } = first.value;
      if (command.case !== "hello") {
        throw new SwitchboardError(ErrorCode.FailedPrecondition, "the first message must be hello");
      }
      const hello = command.value;
      if (hello.agentId === "")
        throw invalidArgument([{ field: "hello.agent_id", description: "required" }]);
      const principal = principalOf(call) ?? (await ctx.auth.fromToken(hello.token));
      checkRole(principal, AgentService);
      checkAgent(principal, hello.agentId);
      const initialState =
        hello.initialState === AgentState.UNSPECIFIED ? AgentState.AWAY : hello.initialState;
      if (initialState !== AgentState.AVAILABLE && initialState !== AgentState.AWAY) {
        throw invalidArgument([{ field: "hello.initial_state", description: "AVAILABLE or AWAY" }]);
      }
      const { tenant } = principal;
      const store = ctx.store.forTenant(tenant);
      const agent = decodeAgent((await requireItem(store, "agent", hello.agentId)).data);
      const replaced = new AbortController();
      const session: AgentSession = {
        tenant,
        agentId: agent.id,
        displayName: agent.displayName,
        pendingOffers: new Map(),
        assigned: sessions.assignments(tenant, agent.id),
        answeredOffers: new Map(),
        replaced,
        send: (message) => {
          if (!call.writableEnded && !call.destroyed) call.write(message);
        },
      };
      const log = logger.child({ tenant, agentId: agent.id });
      sessions.attach(session);
      let reason: "offline" | "stream_closed" = "stream_closed";
      try {
        await publish(tenant, agent.id, requestId || ctx.ids.next(), {
          case: "connected",
          value: { gatewayId: ctx.gatewayId, initialState },
        });
        const restored = await restoreAssignments(store, session);
        agent.state = initialState;
        session.send({ event: { case: "welcome", value: { agent, ...restored } } });
        log.info({ client: hello.client }, "agent connected");
        const ended = AbortSignal.any([stop, replaced.signal]);
        for (;;) {
          const next = await nextOrStop(incoming, ended);
          if (next === "stopped" || next.done) break;
          const done = await handle(next.value, session);
          if (done) {
            reason = "offline";
            break;
          }
        }
        if (replaced.signal.aborted) {
          throw new SwitchboardError(
            ErrorCode.AlreadyExists,
            "a newer stream for this agent replaced this one",
          );
        }
      } finally {
        sessions.detach(session, reason);
        log.info({ reason }, "agent stream ended");
      }
    },
  };

  /** Handles one command; true when the stream should end (the agent went OFFLINE). */
  async function handle(
    request: AgentServiceConnectRequest,
    session: AgentSession,
  ): Promise<boolean> {
    const requestId = request.requestId;
    let command: DesktopCommand | undefined;
    try {
      if (isConversationCommand(request.command)) {
        await handleConversationCommand(ctx, request.command, requestId, session);
        session.send({ event: { case: "ack", value: { requestId } } });
        return false;
      }
      command = toDesktopCommand(request, session, ctx.clock);
      await publish(session.tenant, session.agentId, requestId || ctx.ids.next(), command);
    } catch (error) {
      const err = SwitchboardError.from(error);
      if (!(error instanceof SwitchboardError))
        logger.error({ err: error }, "agent command failed");
      session.send({
        event: {
          case: "error",
          value: {
            requestId,
            code: err.code,
            message:
              err.code === ErrorCode.Internal && !(error instanceof SwitchboardError)
                ? "internal error"
                : err.message,
            fieldViolations: [...err.violations],
          },
        },
      });
      return false;
    }
    const accepted =
      command.case === "acceptOffer" ? session.pendingOffers.get(command.value.offerId) : undefined;
    applyToSession(command, session, ctx.clock.nowMs());
    session.send({ event: { case: "ack", value: { requestId } } });
    // What the customer wrote while waiting (chat lines, the email body) reaches the agent;
    // calls have no transcript, so they cost no store read.
    if (accepted !== undefined && accepted.contactId !== "" && WRITTEN.has(accepted.channel)) {
      const { contactId } = accepted;
      sendTranscript(ctx, session, contactId).catch((err: unknown) => {
        logger.warn({ err, contactId }, "could not send the transcript to the agent");
      });
    }
    return command.case === "setPresence" && command.value.state === AgentState.OFFLINE;
  }
}

/** Channels whose contacts carry a written conversation (an unknown channel is read too). */
const WRITTEN: ReadonlySet<Channel> = new Set([
  Channel.CHAT,
  Channel.EMAIL,
  Channel.KIOSK,
  Channel.UNSPECIFIED,
]);

type AgentCommandCase = Parameters<typeof create<typeof AgentCommandSchema>>[1] extends infer I
  ? I extends { command?: infer C }
    ? C
    : never
  : never;
