import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { ADAPTERS, OPTIONS, ROLES } from "../core/index.js";

// No Docker engine in CI: these checks keep the deploy files true to the code they ship.
const read = (p: string) => readFileSync(new URL(p, import.meta.url), "utf8");
const pkg = JSON.parse(read("../package.json")) as { scripts: Record<string, string> };
const knownEnv = new Set(OPTIONS.flatMap((o) => [o.env, ...(o.envAliases ?? [])]));
const defaultOf = (flag: string) => OPTIONS.find((o) => o.flag === flag)?.default;

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  it("builds on Node 24 with scripts that exist and runs the CLI the build emits", () => {
    expect(dockerfile).toMatch(/^FROM node:24-/m);
    for (const [, script] of dockerfile.matchAll(/npm run (\w[\w:-]*)/g)) {
      expect(pkg.scripts, `npm run ${script}`).toHaveProperty(script ?? "");
    }
    const entry = /ENTRYPOINT \["node", "([^"]+)"\]/.exec(dockerfile)?.[1];
    expect(entry).toBe("dist/cli/main.js");
    expect(existsSync(new URL("../cli/main.ts", import.meta.url))).toBe(true);
  });

  it("exposes the default ports", () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number);
    expect(exposed).toEqual([
      defaultOf("grpc-port"),
      defaultOf("http-port"),
      defaultOf("smtp-port"),
    ]);
  });
});

describe("compose.yaml", () => {
  const compose = parseYaml(read("compose.yaml")) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        build?: { dockerfile: string };
        command?: string[];
      }
    >;
  };
  const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
  it("sets only real configuration variables and builds the real Dockerfile", () => {
    for (const [, service] of ours) {
      for (const name of Object.keys(service.environment ?? {}))
        expect(knownEnv, name).toContain(name);
      expect(existsSync(new URL(`../${service.build?.dockerfile}`, import.meta.url))).toBe(true);
    }
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["nats", "redis", "switchboard", "router"]),
    );
  });

  it("runs real roles, and every channel adapter once", () => {
    const commands = ours.map(([, s]) => s.command ?? []);
    for (const [role, channel] of commands) {
      expect(ROLES, role).toContain(role);
      if (role === "adapter") expect(ADAPTERS).toContain(channel);
    }
    const adapters = commands.filter(([role]) => role === "adapter").map(([, c]) => c);
    expect(adapters.sort()).toEqual([...ADAPTERS].sort());
  });
});

describe("k8s manifests", () => {
  const docs = parseAllDocuments(read("k8s/switchboard.yaml")).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  it("parse, use real variables, and probe the real ports", () => {
    expect(docs.map((d) => d.kind)).toEqual(["ConfigMap", "Deployment", "Deployment", "Service"]);
    const roles = docs
      .filter((d) => d.kind === "Deployment")
      .map((d) => JSON.stringify(d).match(/"args":\["(\w+)"\]/)?.[1]);
    expect(roles).toEqual(["gateway", "router"]);
    const data = (docs[0] as { data: Record<string, string> }).data;
    for (const name of Object.keys(data)) expect(knownEnv, name).toContain(name);
    const text = JSON.stringify(docs[1]);
    expect(text).toContain(`"containerPort":${defaultOf("grpc-port")}`);
    expect(text).toContain(`"containerPort":${defaultOf("http-port")}`);
    expect(text).toContain('"path":"/healthz"');
  });
});

describe("k8s adapters", () => {
  const docs = parseAllDocuments(read("k8s/adapters.yaml")).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  it("runs every channel adapter once, on the shared ConfigMap, with probes on real ports", () => {
    const deployments = docs.filter((d) => d.kind === "Deployment");
    const args = deployments.map(
      (d) => JSON.stringify(d).match(/"args":\["adapter","(\w+)"\]/)?.[1],
    );
    expect(args.sort()).toEqual([...ADAPTERS].sort());
    for (const d of deployments) {
      const text = JSON.stringify(d);
      expect(text).toContain('"configMapRef":{"name":"switchboard"}');
      expect(text).toContain(`"containerPort":${defaultOf("http-port")}`);
      expect(text).toContain('"path":"/healthz"');
    }
    const text = JSON.stringify(docs);
    expect(text).toContain(`"containerPort":${defaultOf("smtp-port")}`);
    expect(docs.filter((d) => d.kind === "Service")).toHaveLength(ADAPTERS.length);
  });
});
