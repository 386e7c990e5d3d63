import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/index.js";
import type { HttpRoutes } from "../../gateway/index.js";
import type { CallFlow, FlowStep } from "./call-flow.js";
import { FormBodyError, readForm } from "./form-body.js";
import type { PhoneMetrics } from "./phone-metrics.js";
import type { CallInstruction, VoiceProvider } from "./voice-provider.js";

export interface WebhookRoutesOptions {
  readonly flow: CallFlow;
  /** Undefined: no way to verify signatures, every webhook is refused 503. */
  readonly provider: VoiceProvider | undefined;
  readonly metrics: PhoneMetrics;
  readonly logger: Logger;
  /** `--public-url`; unset: `http://<Host header>` (wrong behind a TLS proxy). */
  readonly publicUrl: string | undefined;
  readonly maxBodyBytes: number;
  /** Whom to tell when a webhook cannot be served because verification is not configured. */
  readonly disabledReason: string;
}

const PREFIX = "/voice/";

/**
 * The voice webhooks on the gateway's HTTP port. Each request, in order: POST only (405),
 * verification configured (503), form content type (415), body size (413), well-formed form
 * (400), provider signature over the public URL and the parameters (403, nothing done), the
 * call fields (400); then the flow step answers call-control instructions (TwiML). Errors are
 * JSON `{ "error": …, "field"?: … }`. Nothing here throws into the HTTP server.
 */
export function createWebhookRoutes(options: WebhookRoutesOptions): HttpRoutes & {
  /** Resolves when the webhooks being answered are done (for a drain). */
  idle(): Promise<void>;
} {
  const { flow, metrics, logger } = options;
  const inFlight = new Set<Promise<void>>();

  const reply = (
    res: ServerResponse,
    route: string,
    status: number,
    body: string,
    type = "application/json",
  ) => {
    metrics.webhooks.inc({ route, status: String(status) });
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  const error = (
    res: ServerResponse,
    route: string,
    status: number,
    message: string,
    field?: string,
  ) =>
    reply(
      res,
      route,
      status,
      JSON.stringify(field === undefined ? { error: message } : { error: message, field }),
    );

  const publicBase = (req: IncomingMessage): string => {
    if (options.publicUrl !== undefined) return options.publicUrl.replace(/\/+$/, "");
    return `http://${req.headers.host ?? "localhost"}`;
  };

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    step: FlowStep,
  ): Promise<void> => {
    if (req.method !== "POST") {
      req.resume();
      res.setHeader("allow", "POST");
      return error(res, route, 405, `method ${req.method} not allowed; the provider POSTs`);
    }
    const provider = options.provider;
    if (provider === undefined) {
      req.resume();
      return error(res, route, 503, options.disabledReason);
    }
    let params: Awaited<ReturnType<typeof readForm>>;
    try {
      params = await readForm(req, options.maxBodyBytes);
    } catch (err) {
      if (err instanceof FormBodyError)
        return error(res, route, err.status, err.message, err.field);
      // The client went away mid-body: nobody to answer.
      logger.debug({ err, route }, "voice webhook body not read");
      return error(res, route, 400, "the request body could not be read");
    }
    const base = publicBase(req);
    const url = `${base}${req.url ?? route}`;
    const verified = provider.verify({ url, headers: req.headers, params });
    if (!verified.ok) {
      metrics.signatureFailures.inc({ reason: verified.reason });
      logger.warn({ route, reason: verified.reason }, "voice webhook refused: bad signature");
      return error(
        res,
        route,
        403,
        verified.reason === "missing"
          ? "X-Twilio-Signature header missing"
          : "X-Twilio-Signature does not match this URL and these parameters (is --public-url the URL configured at the provider?)",
        "X-Twilio-Signature",
      );
    }
    const call = provider.parse(params);
    if ("invalidField" in call) return error(res, route, 400, call.description, call.invalidField);
    const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    let instructions: CallInstruction[];
    try {
      instructions = await step({ call, base, query });
    } catch (err) {
      logger.error({ err, route, callId: call.callId }, "voice webhook failed");
      // The provider plays its own error message on a non-2xx answer; the call record is as
      // it was, so a retried webhook takes the step again.
      return error(res, route, 503, "temporarily unable to handle the call; try again");
    }
    const rendered = provider.render(instructions);
    reply(res, route, 200, rendered.body, rendered.contentType);
  };

  return {
    handle(req, res) {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (!path.startsWith(PREFIX)) return false;
      const step = flow.steps[path];
      if (step === undefined) {
        req.resume();
        error(res, "unknown", 404, `no voice webhook ${path}`);
        return true;
      }
      const task = serve(req, res, path, step).catch((err: unknown) => {
        logger.error({ err, route: path }, "voice webhook failed");
        error(res, path, 500, "internal error");
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      return true;
    },
    async idle() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
