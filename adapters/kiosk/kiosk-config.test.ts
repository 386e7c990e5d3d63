import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SwitchboardError } from "../../core/index.js";
import { IntermediaryKind, KioskFaultCode } from "../../proto/index.js";
import { faultName, faultSpecOf, flowOf, parseKioskSection, sha256 } from "./kiosk-config.js";

const config = {
  tenants: ["acme"],
  kioskHeartbeatTimeoutMs: 30_000,
  callbackThresholdSeconds: 120,
};

function violations(section: Record<string, unknown>): string[] {
  try {
    parseKioskSection(section, config);
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    return (err as SwitchboardError).violations.map((v) => `${v.field}: ${v.description}`);
  }
  return [];
}

describe("the kiosk section of --channels-file", () => {
  it("reads devices, flows, faults and defaults", () => {
    const s = parseKioskSection(
      {
        devices: [
          { id: "atm-1", token: "a-token-of-16-chars", site: "ghent", type: "atm" },
          {
            id: "atm-2",
            token_sha256: sha256("other-token-16-chars").toString("hex"),
            tenant: "beta",
          },
        ],
        flows: {
          "card-replacement": {
            complexity: 3,
            skills: ["cards", { skill: "id", min_proficiency: 2 }],
            queue: "q1",
          },
        },
        faults: { paper_jam: { skills: ["printer"], priority: 10 } },
      },
      config,
    );
    expect(s.tenant).toBe("acme");
    expect(s.devices.get("atm-1")).toMatchObject({ tenant: "acme", site: "ghent", type: "atm" });
    expect(s.devices.get("atm-1")?.tokenSha256.equals(sha256("a-token-of-16-chars"))).toBe(true);
    expect(s.devices.get("atm-2")?.tenant).toBe("beta");
    expect(flowOf(s, "card-replacement")).toEqual({
      complexity: 3,
      priority: 0,
      queue: "q1",
      skills: [
        { skill: "cards", minProficiency: 1 },
        { skill: "id", minProficiency: 2 },
      ],
    });
    expect(flowOf(s, "not-configured")).toMatchObject({ complexity: 1, skills: [] });
    expect(faultSpecOf(s, KioskFaultCode.PAPER_JAM)).toMatchObject({ priority: 10 });
    expect(faultSpecOf(s, KioskFaultCode.CASH_LOW)).toMatchObject({ priority: 50, skills: [] });
    expect(s.faultQueue).toBe("field-service");
    expect(s.staffAssistedKind).toBe(IntermediaryKind.PARTNER);
    expect(faultName(KioskFaultCode.CARD_READER_ERROR)).toBe("card_reader_error");
  });

  it("names every bad entry and never echoes a token", () => {
    const found = violations({
      devices: [
        { id: "has.dot", token: "a-token-of-16-chars" },
        { id: "atm-2", token: "short-secret" },
        { id: "atm-3" },
        { id: "atm-3", token_sha256: "xyz", color: "red" },
      ],
      flows: { f: { complexity: 9, skills: ["Bad Skill"] } },
      faults: { melted: {} },
      staff_assisted_kind: "friend",
      extra: 1,
    });
    expect(found.map((v) => v.split(":")[0])).toEqual([
      "--channels-file kiosk.extra",
      "--channels-file kiosk.devices[0].id",
      "--channels-file kiosk.devices[1].token",
      "--channels-file kiosk.devices[2]",
      "--channels-file kiosk.devices[3].color",
      "--channels-file kiosk.devices[3].id",
      "--channels-file kiosk.devices[3].token_sha256",
      "--channels-file kiosk.flows.f.complexity",
      "--channels-file kiosk.flows.f.skills[0]",
      "--channels-file kiosk.faults.melted",
      "--channels-file kiosk.staff_assisted_kind",
    ]);
    expect(found.join("\n")).not.toContain("short-secret");
  });
});

describe("kiosk.example.yaml (the README's example)", () => {
  it("is a valid kiosk section", () => {
    const file = new URL("./kiosk.example.yaml", import.meta.url).pathname;
    const s = parseKioskSection(
      (parseYaml(readFileSync(file, "utf8")) as { kiosk: Record<string, unknown> }).kiosk,
      config,
    );
    expect([...s.devices.keys()]).toEqual(["atm-001", "atm-002", "tvm-101", "info-7"]);
    expect(
      s.devices.get("info-7")?.tokenSha256.equals(sha256("info-7-example-token-change-me")),
    ).toBe(true);
  });
});
