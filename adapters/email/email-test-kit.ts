import { connect } from "node:net";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClientDuplexStream } from "@grpc/grpc-js";
import { type ParsedMail, simpleParser } from "mailparser";
import { createTransport } from "nodemailer";
import type Mail from "nodemailer/lib/mailer/index.js";
import { SMTPServer } from "smtp-server";
import type { GrpcClient } from "../../gateway/index.js";
import {
  type AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
} from "../../proto/index.js";

/**
 * Test-only helpers for the email adapter's tests: a real SMTP server capturing outbound mail,
 * a real SMTP client (nodemailer) and a raw socket client, and an agent desktop on a real
 * AgentService stream. Free of vitest and the harness so the import-boundary rules hold.
 */

/** Resolves when `condition()` holds, checking every 20 ms; rejects after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface CapturedMail {
  readonly envelopeTo: string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
}

export interface CaptureServer {
  readonly port: number;
  readonly mails: CapturedMail[];
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on `port` (0: any) keeping every mail it receives. */
export async function startCapture(port = 0): Promise<CaptureServer> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw: raw.toString("utf8"),
              parsed,
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const address = server.server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends one mail with nodemailer as an SMTP client; rejects with the server's answer. */
export async function sendMail(
  port: number,
  mail: Mail.Options,
  auth?: { user: string; pass: string },
) {
  const transport = createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: auth === undefined,
    ...(auth === undefined ? {} : { auth, tls: { rejectUnauthorized: false } }),
  });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/**
 * Speaks SMTP line by line on a raw socket: sends each command (the last is usually QUIT) and
 * returns the final line of each reply (and every line received), for the commands a
 * well-behaved client never sends.
 */
export async function smtpDialogue(
  port: number,
  commands: readonly string[],
): Promise<{ replies: string[]; lines: string[] }> {
  const socket = connect(port, "127.0.0.1");
  const lines: string[] = [];
  let buffer = "";
  const replies: string[] = [];
  let wake: (() => void) | undefined;
  socket.on("data", (d: Buffer) => {
    buffer += d.toString("latin1");
    let i = buffer.indexOf("\r\n");
    while (i >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      lines.push(line);
      // The last line of a (possibly multi-line) reply has a space after the code.
      if (/^\d{3} /.test(line) || !/^\d{3}-/.test(line)) replies.push(line);
      i = buffer.indexOf("\r\n");
    }
    wake?.();
  });
  const closed = new Promise<void>((resolve) => {
    socket.on("close", () => {
      wake?.();
      resolve();
    });
    socket.on("error", () => resolve());
  });
  const nextReply = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (replies.length < count && !socket.destroyed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  await nextReply(1); // greeting
  let expected = 1;
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    // DATA content is sent in one piece ending with "\r\n."; other commands get one reply each.
    expected += 1;
    await nextReply(expected);
  }
  socket.end();
  await closed;
  return { replies, lines };
}

type Request = MessageInitShape<typeof AgentServiceConnectRequestSchema>;
type Stream = ClientDuplexStream<Request, AgentServiceConnectResponse>;
type EventCase = AgentServiceConnectResponse["event"]["case"];

export interface Desktop {
  readonly seen: AgentServiceConnectResponse[];
  send(request: Request): void;
  /** The next event of this kind (after those already taken) matching `match`. */
  next(
    kind: EventCase,
    match?: (e: AgentServiceConnectResponse) => boolean,
  ): Promise<AgentServiceConnectResponse>;
  close(): void;
}

/** An agent desktop: AgentService.Connect, hello AVAILABLE, welcome awaited. */
export async function openDesktop(
  client: GrpcClient<typeof AgentService>,
  agentId: string,
): Promise<Desktop> {
  const stream = client.connect() as Stream;
  const seen: AgentServiceConnectResponse[] = [];
  const taken = new Set<number>();
  stream.on("data", (m: AgentServiceConnectResponse) => seen.push(m));
  stream.on("error", () => undefined);
  const desktop: Desktop = {
    seen,
    send: (request) => stream.write(request),
    async next(kind, match = () => true) {
      let found = -1;
      await eventually(`agent ${agentId}: ${kind}`, () => {
        // Synchronous on purpose: `found` is read right after.
        found = seen.findIndex((m, i) => !taken.has(i) && m.event.case === kind && match(m));
        return found >= 0;
      });
      taken.add(found);
      return seen[found] as AgentServiceConnectResponse;
    },
    close: () => stream.cancel(),
  };
  desktop.send({
    command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
  });
  await desktop.next("welcome");
  return desktop;
}
