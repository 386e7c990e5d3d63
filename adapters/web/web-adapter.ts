import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { AdapterContext, AdapterFactory, RunningAdapter } from "../../gateway/index.js";
import { serveChatSocket } from "./chat-connection.js";
import { createChatHub } from "./chat-hub.js";
import { createChatSessions } from "./chat-sessions.js";
import { originAllowed } from "./origin-policy.js";
import { createSessionEndpoint } from "./session-endpoint.js";
import { createTranscriptMailer } from "./transcript-mail.js";
import { webChatSettings } from "./web-config.js";
import { createWebMetrics } from "./web-metrics.js";
import { CHAT_PAGE, WIDGET_CSS, WIDGET_SCRIPT } from "./widget-script.js";

export interface WebAdapterOptions {
  /** Ping every open socket this often; one that did not answer the last ping is dropped. */
  readonly keepaliveMs?: number;
}

const WS_PATH = "/ws/chat";
/** Sockets one chat may hold on one process (tabs of the same session); more are refused 429. */
const MAX_SOCKETS_PER_CHAT = 5;

/**
 * The web chat adapter (issue #6): `POST /chat/sessions` creates a customer's CHAT contact
 * and its token; `ws /ws/chat?token=…` carries the conversation (origin and token checked
 * before the upgrade); `GET /chat`, `/chat/widget.js` and `/chat/widget.css` serve the widget.
 * See adapters/web/README.md.
 */
export function createWebAdapter(options: WebAdapterOptions = {}): AdapterFactory {
  return (ctx) => startWeb(ctx, options);
}

export const startWebAdapter: AdapterFactory = createWebAdapter();

async function startWeb(ctx: AdapterContext, options: WebAdapterOptions): Promise<RunningAdapter> {
  const { config } = ctx;
  const logger = ctx.logger.child({ component: "web-chat" });
  const settings = webChatSettings(config);
  const metrics = createWebMetrics(ctx.metrics);
  const nowMs = () => ctx.clock.nowMs();
  const sessions = createChatSessions({
    store: ctx.store,
    tenant: settings.tenant,
    ttlMs: settings.sessionTtlMs,
    nowMs,
  });
  const hub = createChatHub({
    bus: ctx.bus,
    store: ctx.store,
    intake: ctx.intake,
    conversations: ctx.conversations,
    logger,
    metrics,
    graceMs: config.chatGraceMs,
    instanceId: ctx.ids.next(),
    presenceTtlMs: settings.sessionTtlMs,
    nowMs,
  });
  await hub.start();
  const mailer = createTranscriptMailer(config);
  const endpoint = createSessionEndpoint({
    settings,
    sessions,
    intake: ctx.intake,
    ids: ctx.ids,
    nowMs,
    metrics,
    logger,
    allowedOrigins: config.allowedOrigins,
    created: (tenant, contactId) => hub.waitForCustomer(tenant, contactId),
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.wsMaxPayloadBytes,
    perMessageDeflate: false,
  });
  wss.on("error", (err) => logger.warn({ err }, "chat websocket server error"));
  const deps = {
    hub,
    sessions,
    intake: ctx.intake,
    conversations: ctx.conversations,
    ids: ctx.ids,
    nowMs,
    logger,
    metrics,
    mailer,
    messagesPerMinute: config.wsMessagesPerMinute,
  };

  // Keepalive: a socket that did not answer the previous ping is dead (laptop lid, NAT drop).
  const alive = new WeakMap<WebSocket, boolean>();
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.keepaliveMs ?? 30_000);
  keepalive.unref();

  const topics = JSON.stringify(
    [...settings.topics.values()].map((t) => ({ id: t.id, label: t.label })),
  ).replaceAll("<", "\\u003c");
  const widgetScript = `var SB_TOPICS = ${topics};\n${WIDGET_SCRIPT}`;
  const asset = (res: ServerResponse, type: string, body: string, extra = {}) => {
    res.writeHead(200, {
      "content-type": `${type}; charset=utf-8`,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      ...extra,
    });
    res.end(body);
  };

  const reject = (socket: Duplex, status: number, reason: string, message: string) => {
    metrics.upgradesRejected.inc({ reason });
    const body = JSON.stringify({ error: message });
    socket.once("finish", () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== WS_PATH) return false;
    if (ctx.shutdown.aborted) {
      reject(socket, 503, "draining", "the chat service is restarting; reconnect shortly");
      return true;
    }
    if (!originAllowed(req, config.allowedOrigins)) {
      reject(socket, 403, "origin", "this page's origin may not open the chat");
      return true;
    }
    const token = url.searchParams.get("token") ?? "";
    sessions.find(token).then(
      (found) => {
        if (socket.destroyed) return;
        if (found === undefined) {
          reject(socket, 401, "token", "missing, unknown or expired chat token");
          return;
        }
        if (hub.count(found.session.tenant, found.session.contactId) >= MAX_SOCKETS_PER_CHAT) {
          reject(socket, 429, "too_many", "too many connections for this chat; close a tab");
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          alive.set(ws, true);
          ws.on("pong", () => alive.set(ws, true));
          serveChatSocket(ws, found, deps);
        });
      },
      (err: unknown) => {
        logger.error({ err }, "chat token lookup failed");
        if (!socket.destroyed) reject(socket, 503, "unavailable", "try again shortly");
      },
    );
    return true;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (endpoint.handle(req, res)) return true;
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    switch (path) {
      case "/chat":
      case "/chat/":
        asset(res, "text/html", CHAT_PAGE, {
          "content-security-policy":
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
            "img-src 'self' data:; base-uri 'none'; form-action 'none'",
          "referrer-policy": "no-referrer",
        });
        return true;
      case "/chat/widget.js":
        asset(res, "text/javascript", widgetScript);
        return true;
      case "/chat/widget.css":
        asset(res, "text/css", WIDGET_CSS);
        return true;
      default:
        return false;
    }
  };

  logger.info(
    { tenant: settings.tenant, topics: [...settings.topics.keys()] },
    "web chat: POST /chat/sessions, ws /ws/chat, widget on /chat",
  );
  return {
    name: "web",
    http: { handle, upgrade },
    async stop() {
      clearInterval(keepalive);
      hub.stop();
      // Pages reconnect (to another replica, or to this one after the restart).
      for (const ws of wss.clients) ws.close(1001, "server restarting");
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          resolve();
        }, 1000);
        force.unref();
        wss.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
      mailer?.close();
    },
  };
}
