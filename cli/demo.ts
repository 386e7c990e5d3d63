import { parseArgs } from "node:util";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ClientDuplexStream, credentials, Metadata } from "@grpc/grpc-js";
import { createGrpcClient } from "../gateway/index.js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
  Channel,
  ContactEventType,
  ContactService,
  type WatchContactResponse,
} from "../proto/index.js";

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
type Desktop = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;

export const DEMO_USAGE = `Usage: switchboard demo [--target host:port] [--token T] [--contacts N]

A guided first run against a running Switchboard (npm start in another terminal): creates a
queue, a routing rule and two agents, connects the agents' desktops, submits contacts and shows
each routing decision with its explanation while the agents accept, wrap up and complete.
  --target     gRPC address (default 127.0.0.1:50051)
  --token      bearer token with the admin role (not needed in open mode)
  --contacts   how many contacts to submit (default 3)
`;

/** `switchboard demo`: a real gRPC client walking through the whole contact lifecycle. */
export async function runDemoCommand(argv: readonly string[], io: Io): Promise<number> {
  let values: { target?: string; token?: string; contacts?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        target: { type: "string" },
        token: { type: "string" },
        contacts: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`demo: ${(err as Error).message}\n${DEMO_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(DEMO_USAGE);
    return 0;
  }
  const count = Number(values.contacts ?? "3");
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    io.stderr.write("demo: --contacts must be an integer from 1 to 100\n");
    return 2;
  }
  const target = values.target ?? "127.0.0.1:50051";
  const metadata = new Metadata();
  if (values.token !== undefined) metadata.set("authorization", `Bearer ${values.token}`);
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const creds = credentials.createInsecure();
  using admin = createGrpcClient(AdminService, target, creds);
  using contacts = createGrpcClient(ContactService, target, creds);
  using agents = createGrpcClient(AgentService, target, creds);
  const opts = { metadata };
  const run = Date.now().toString(36);

  try {
    say(
      `1. configuring ${target}: queue "demo-billing", a rule, agents anna (proficiency 5) and bob (3)`,
    );
    await admin.putQueue({ queue: { id: "demo-billing", name: "Billing (demo)" } }, opts);
    await admin.putRoutingRule(
      {
        rule: {
          id: "demo-billing",
          order: 10,
          queueId: "demo-billing",
          match: { skills: ["billing"] },
        },
      },
      opts,
    );
    for (const [id, proficiency] of [
      ["demo-anna", 5],
      ["demo-bob", 3],
    ] as const) {
      // version 0 overwrites, so running the demo twice is fine.
      await admin.putAgent(
        {
          agent: {
            id,
            displayName: id.slice(5),
            skills: [{ skill: "billing", proficiency }],
            complexityTier: 5,
            channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: 1 }],
          },
        },
        opts,
      );
    }
  } catch (err) {
    io.stderr.write(
      `demo: cannot configure ${target}: ${(err as Error).message}\n(is Switchboard running? try npm start)\n`,
    );
    return 1;
  }

  say("2. agents log in on their desktops (AgentService.Connect) and become AVAILABLE");
  const completed = new Set<string>();
  const desktops: Desktop[] = [];
  for (const agentId of ["demo-anna", "demo-bob"]) {
    const desktop = agents.connect(opts) as Desktop;
    desktops.push(desktop);
    desktop.on("error", () => {});
    desktop.on("data", (m: AgentServiceConnectResponse) => {
      if (m.event.case !== "offer") return;
      const offer = m.event.value;
      const d = offer.decision;
      const terms = (d?.scoreTerms ?? [])
        .map((t) => `${t.name} ${t.value.toFixed(2)}×${t.weight}`)
        .join(", ");
      const n = d?.candidatesConsidered ?? 0;
      say(
        `   offer → ${agentId}: contact ${offer.contact?.id.slice(-6)} in queue ${d?.queueId}, ${n} candidate${n === 1 ? "" : "s"} considered; ${d?.reason}${terms ? ` [${terms}]` : ""}`,
      );
      const contactId = offer.contact?.id ?? "";
      desktop.write({
        requestId: `acc-${contactId}`,
        command: { case: "acceptOffer", value: { offerId: offer.offerId } },
      });
      setTimeout(() => {
        desktop.write({
          requestId: `wu-${contactId}`,
          command: { case: "startWrapUp", value: { contactId } },
        });
        desktop.write({
          requestId: `done-${contactId}`,
          command: {
            case: "completeContact",
            value: { contactId, disposition: { code: "resolved", resolved: true } },
          },
        });
      }, 300).unref();
    });
    desktop.write({
      command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
    });
  }

  say(`3. a platform submits ${count} chat contacts needing "billing" and watches each one`);
  const watches: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const { contact } = await contacts.submitContact(
      {
        contact: {
          channel: Channel.CHAT,
          idempotencyKey: `demo-${run}-${i}`,
          subject: `demo contact ${i + 1}`,
          customer: { identifiers: { webSessionId: `demo-${run}-${i}` } },
          requiredSkills: [{ skill: "billing", minProficiency: 2 }],
          complexity: 2,
        },
      },
      opts,
    );
    const id = contact?.id ?? "";
    say(`   submitted ${id.slice(-6)} (acknowledged: durable on the bus)`);
    const watch = contacts.watchContact({ contactId: id }, opts);
    watches.push(
      new Promise((resolve) => {
        watch.on("data", (r: WatchContactResponse) => {
          const e = r.event;
          if (e === undefined) return;
          const extra =
            e.type === ContactEventType.QUEUED
              ? ` position ${e.position}`
              : e.agentId
                ? ` agent ${e.agentId}`
                : "";
          say(`   ${id.slice(-6)}: ${ContactEventType[e.type]}${extra}`);
          if (e.type === ContactEventType.COMPLETED) completed.add(id);
        });
        watch.on("end", () => resolve());
        watch.on("error", () => resolve());
      }),
    );
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
  await Promise.race([Promise.all(watches), timeout]);
  for (const d of desktops) d.end();
  say(`4. done: ${completed.size} of ${count} contacts completed`);
  return completed.size === count ? 0 : 1;
}
