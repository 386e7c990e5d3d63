import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { type Logger, SwitchboardError } from "../../core/index.js";
import type { AdapterContext } from "../../gateway/index.js";
import { type EmailRoute, type EmailSettings, routeFor } from "./email-config.js";
import type { EmailMetrics } from "./email-metrics.js";
import { handleInbound, type InboundDeps } from "./inbound.js";
import { parseEmail } from "./parse-email.js";

const MAX_RECIPIENTS = 100;
const WINDOW_MS = 60_000;

/** An SMTP answer: smtp-server sends `responseCode message` for an Error carrying a code. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * Messages per client IP in the last minute (a sliding window of timestamps; an IP's list
 * never holds more than the limit, and idle IPs are swept).
 */
function createRateLimiter(limit: number, nowMs: () => number) {
  const seen = new Map<string, number[]>();
  let lastSweep = 0;
  return {
    /** Records one message; false when the IP already sent `limit` in the last minute. */
    take(ip: string): boolean {
      const now = nowMs();
      if (now - lastSweep > WINDOW_MS) {
        for (const [key, times] of seen) {
          if ((times.at(-1) ?? 0) <= now - WINDOW_MS) seen.delete(key);
        }
        lastSweep = now;
      }
      const times = (seen.get(ip) ?? []).filter((t) => t > now - WINDOW_MS);
      if (times.length >= limit) {
        seen.set(ip, times);
        return false;
      }
      times.push(now);
      seen.set(ip, times);
      return true;
    },
  };
}

export interface InboundServer {
  stop(): Promise<void>;
}

/**
 * Inbound SMTP (smtp-server) on --host:--smtp-port: size limit (552, nothing kept),
 * concurrent connections (421), per-IP messages per minute (451), optional STARTTLS
 * (--tls-cert-file/--tls-key-file) and AUTH (users in the channels file). Every mail is
 * parsed, classified and handled before the 250; a failure to store it is a 451 so the
 * sending server retries.
 */
export async function startInboundServer(
  ctx: AdapterContext,
  settings: EmailSettings,
  metrics: EmailMetrics,
  logger: Logger,
  deps: InboundDeps,
): Promise<InboundServer> {
  const { config } = ctx;
  const tls = config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined;
  const auth = settings.users.length > 0;
  const limiter = createRateLimiter(config.smtpMessagesPerMinute, () => ctx.clock.nowMs());
  const inFlight = new Set<Promise<void>>();
  const reject = (reason: string) => metrics.inbound.inc({ outcome: "rejected", reason });
  const defaultRoute: EmailRoute = {
    recipient: "*",
    tenant: settings.tenant,
    queue: "",
    skills: [],
    priority: 0,
    language: "",
  };

  const server = new SMTPServer({
    banner: "Switchboard email adapter",
    size: config.smtpMaxBytes,
    maxClients: config.smtpMaxConnections,
    logger: false,
    disabledCommands: [...(tls ? [] : ["STARTTLS"]), ...(auth ? [] : ["AUTH"])],
    authOptional: !settings.authRequired,
    allowInsecureAuth: settings.allowInsecureAuth,
    ...(tls
      ? {
          key: readFileSync(config.tlsKeyFile as string),
          cert: readFileSync(config.tlsCertFile as string),
        }
      : {}),
    socketTimeout: 60_000,
    closeTimeout: 1_000,
    onAuth(session, _s, callback) {
      const ok =
        session.method !== "XOAUTH2" &&
        settings.users.some(
          (u) =>
            same(u.username, session.username) && same(u.password, session.password ?? undefined),
        );
      if (!ok) {
        reject("auth_failed");
        callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
        return;
      }
      callback(null, { user: session.username });
    },
    onMailFrom(_address, session, callback) {
      if (settings.authRequired && session.user === undefined) {
        callback(smtpError(530, "5.7.0 Authentication required"));
        return;
      }
      if (!limiter.take(session.remoteAddress)) {
        reject("rate_limited");
        callback(smtpError(451, "4.7.1 Too many messages from your address; try again later"));
        return;
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
        callback(smtpError(452, "4.5.3 Too many recipients"));
        return;
      }
      if (
        settings.rejectUnknownRecipients &&
        routeFor(settings.routes, address.address) === undefined
      ) {
        reject("unknown_recipient");
        callback(smtpError(550, "5.1.1 No such recipient here"));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const work = receive(stream, session)
        .then((answer) => callback(null, answer))
        .catch((err: Error) => callback(err))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
  });

  async function receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
  ): Promise<string> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => {
        // Past the limit smtp-server keeps reading (to answer after the final dot): keep nothing.
        bytes += chunk.length;
        if (bytes <= config.smtpMaxBytes) chunks.push(chunk);
      });
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    if (stream.sizeExceeded || bytes > config.smtpMaxBytes) {
      reject("too_large");
      throw smtpError(552, `5.3.4 Message exceeds the limit of ${config.smtpMaxBytes} bytes`);
    }
    const mailFrom = session.envelope.mailFrom;
    const envelopeFrom = mailFrom === false ? "" : mailFrom.address;
    const parsed = await parseEmail(Buffer.concat(chunks), envelopeFrom);
    if (!parsed.ok) {
      reject(parsed.reason);
      throw smtpError(550, `5.6.0 ${parsed.message}`);
    }
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    let route = defaultRoute;
    let recipient = recipients[0] ?? "";
    for (const r of recipients) {
      const found = routeFor(settings.routes, r);
      if (found !== undefined) {
        route = found;
        recipient = r;
        break;
      }
    }
    try {
      const outcome = await handleInbound(deps, parsed.email, route, recipient.slice(0, 254));
      metrics.inbound.inc({ outcome: "accepted", reason: outcome });
      return outcome === "loop_dropped"
        ? "2.0.0 Accepted (no reply will be sent)"
        : "2.0.0 Accepted";
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === "INVALID_ARGUMENT") {
        reject("invalid");
        const fields = (err.violations ?? []).map((v) => v.field).join(", ");
        throw smtpError(550, `5.6.0 Message refused: invalid ${fields || "content"}`);
      }
      reject("unavailable");
      logger.warn({ err }, "inbound mail not stored; the sender will retry (451)");
      throw smtpError(451, "4.3.0 Temporary failure, please retry");
    }
  }

  let listening = false;
  // Before listening, the start error below says it; after, a socket error must not crash us.
  server.on("error", (err) => {
    if (listening) logger.warn({ err }, "SMTP server error");
  });
  await new Promise<void>((resolve, reject) => {
    // Like the gRPC and HTTP listeners: a port in use is a clear one-line start error (exit 2).
    const onError = (err: Error) =>
      reject(
        new SwitchboardError(
          "UNAVAILABLE",
          `cannot listen for SMTP on ${config.host}:${config.smtpPort}: ${err.message}`,
          { cause: err },
        ),
      );
    server.server.once("error", onError);
    server.listen(config.smtpPort, config.host, () => {
      server.server.off("error", onError);
      listening = true;
      resolve();
    });
  });
  logger.info(
    { port: config.smtpPort, host: config.host, starttls: tls, auth },
    "email adapter: SMTP listening",
  );

  return {
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

function same(expected: string, given: string | undefined): boolean {
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256")
    .update(given ?? "")
    .digest();
  return timingSafeEqual(a, b);
}
