import { readFileSync } from "node:fs";
import { renderOptionsHelp } from "../core/index.js";

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function helpText(): string {
  return `switchboard ${version()} — multichannel contact-routing gateway

Usage: switchboard [role] [options]

Roles:
  all                    router, gateway and every channel adapter in one process (default)
  gateway                the gRPC edge and the HTTP ops endpoints
  router                 the routing service, with the HTTP ops endpoints
  adapter <channel>      one channel adapter alone: email, web, phone or kiosk
  simulate               discrete-event simulation on the real router engine
                         (switchboard simulate --help)
  staff                  agents needed for a service-level target, Erlang C/A
                         (switchboard staff --help)
  demo                   a guided first run against a running switchboard: agents,
                         contacts, offers with their explanations (switchboard demo --help)
  kiosk-sim              simulated kiosks on real streams against a running switchboard
                         (switchboard kiosk-sim --help)
  bench                  benchmarks (not built yet; use npm run bench:router)

Options (each also an environment variable; a --config YAML/JSON file takes the same keys):
  --config <file>        YAML or JSON file with settings (flag names as keys)
${renderOptionsHelp()}
  -h, --help             this text
  -v, --version          the version

With no --nats-url/--redis-url, the bus and store are embedded in memory: contacts live only as
long as the process. Set both for durable, multi-node operation.
`;
}
