import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, SwitchboardError } from "../../core/index.js";
import { webChatSettings } from "./web-config.js";

const dir = mkdtempSync(join(tmpdir(), "sb-web-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settingsFor(yaml: string | undefined) {
  const argv: string[] = [];
  if (yaml !== undefined) {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    argv.push("--channels-file", file);
  }
  return webChatSettings(loadConfig({ argv, env: {} }));
}

function violations(yaml: string): string[] {
  try {
    settingsFor(yaml);
  } catch (err) {
    if (err instanceof SwitchboardError) return err.violations.map((v) => v.field);
    throw err;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("the web section of --channels-file", () => {
  it("defaults: one topic, the first tenant, a day-long session", () => {
    const s = settingsFor(undefined);
    expect([...s.topics.keys()]).toEqual(["general"]);
    expect(s.tenant).toBe("default");
    expect(s.sessionTtlMs).toBe(86_400_000);
    expect(s.defaultTopic).toBeUndefined();
  });

  it("reads topics with queues, skills (names or with a minimum) and priority", () => {
    const s = settingsFor(
      [
        "web:",
        "  defaultTopic: other",
        "  topics:",
        "    billing: { label: Billing, queue: billing-q, skills: [billing], priority: 10 }",
        "    tech: { skills: [{ skill: tech, minProficiency: 3 }] }",
        "    other: {}",
      ].join("\n"),
    );
    expect(s.topics.get("billing")).toEqual({
      id: "billing",
      label: "Billing",
      queueId: "billing-q",
      skills: [{ skill: "billing", minProficiency: 0 }],
      priority: 10,
    });
    expect(s.topics.get("tech")).toMatchObject({ label: "tech", skills: [{ minProficiency: 3 }] });
    expect(s.defaultTopic).toBe("other");
  });

  it("names every bad key", () => {
    expect(
      violations(
        [
          "web:",
          "  colour: blue",
          "  defaultTopic: nope",
          "  topics:",
          "    Bad Id: {}",
          "    ok: { queue: 'a b', skills: [Billing], priority: 101, extra: 1 }",
        ].join("\n"),
      ),
    ).toEqual([
      "--channels-file web.colour",
      "--channels-file web.topics.Bad Id",
      "--channels-file web.topics.ok.extra",
      "--channels-file web.topics.ok.queue",
      "--channels-file web.topics.ok.priority",
      "--channels-file web.topics.ok.skills[0]",
      "--channels-file web.defaultTopic",
    ]);
    expect(violations("web:\n  topics: [a, b]\n")).toEqual(["--channels-file web.topics"]);
    expect(violations("web:\n  topics: {}\n")).toEqual(["--channels-file web.topics"]);
  });
});
