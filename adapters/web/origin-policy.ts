import type { IncomingMessage } from "node:http";

/**
 * Which pages may use the chat (the WebSocket upgrade and CORS on POST /chat/sessions):
 * pages Switchboard served itself (the Origin's host is the request's Host, e.g. `/chat`),
 * plus those `--allowed-origins` lists (`*`: any). A request without Origin is not from a browser page (browsers always send
 * it on WebSocket upgrades and cross-origin POSTs) and is let through: the token still decides.
 */
export function originAllowed(
  req: IncomingMessage,
  allowedOrigins: readonly string[] | undefined,
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (sameOrigin(req)) return true;
  return (
    allowedOrigins !== undefined &&
    (allowedOrigins.includes("*") || allowedOrigins.includes(origin))
  );
}

/** The page that sent this was served by this host (its Origin's host:port is our Host). */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed iframes, file://) and garbage
  }
}
