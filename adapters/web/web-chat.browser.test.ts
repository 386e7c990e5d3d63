import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { MessageSender } from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { connectAgent, startStack } from "../../test/stack/index.js";
import { startWebAdapter } from "./index.js";

// The widget in a real browser: Debian's chromium (CI installs it in .ci/run; never a
// downloaded one) driven by playwright-core, against a stack serving /chat, with the agent on
// a real gRPC AgentService stream. The screenshot is kept in test-results/ (git-ignored).
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join("test-results", "web-chat.png");

const dir = mkdtempSync(join(tmpdir(), "sb-web-browser-"));
const channelsFile = join(dir, "channels.yaml");
writeFileSync(
  channelsFile,
  "web:\n  topics:\n    billing: { label: Billing, skills: [billing] }\n    tech: { label: Technical help }\n",
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the chat widget in chromium", () => {
  const missing = !existsSync(CHROMIUM);
  it.skipIf(missing)(
    missing
      ? `SKIPPED: no ${CHROMIUM} here (.ci/run installs Debian's chromium)`
      : "start a chat, see the queue, chat with an agent, get the reply, answer the CSAT",
    async () => {
      const stack = await startStack({
        adapters: [startWebAdapter],
        argv: ["--channels-file", channelsFile],
      });
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        });
        const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
        const problems: string[] = [];
        page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console: ${m.text()}`);
        });
        await page.goto(`${stack.httpUrl}/chat`);
        await page.getByLabel("Your name").fill("Ann Browser");
        await page.getByLabel("Email").fill("ann.browser@example.com");
        await page.getByLabel("Topic").selectOption("billing");
        await page.getByRole("button", { name: "Start chat" }).click();

        const status = page.getByRole("status");
        await waitUntil(
          "the queue position on the page",
          async () => /number 1 in the queue/.test((await status.textContent()) ?? ""),
          10_000,
        );

        const anna = await connectAgent(stack, "anna", {
          displayName: "Anna",
          skills: [{ skill: "billing", proficiency: 3 }],
        });
        const contactId = await anna.acceptNext();
        await waitUntil(
          "the agent's name on the page",
          async () => /chatting with Anna/.test((await status.textContent()) ?? ""),
          10_000,
        );

        await page.getByLabel("Message").fill("Hi, my invoice shows the wrong amount.");
        await page.getByRole("button", { name: "Send" }).click();
        const question = await anna.next("message");
        expect(question).toMatchObject({
          contactId,
          sender: MessageSender.CUSTOMER,
          text: "Hi, my invoice shows the wrong amount.",
        });

        anna.send({ case: "setTyping", value: { contactId, typing: true } });
        await page.getByText("Anna is typing…").waitFor({ timeout: 10_000 });
        anna.send({
          case: "sendMessage",
          value: { contactId, text: "Sorry about that, Ann! I have corrected it." },
        });
        await page
          .locator(".sbc-agent")
          .filter({ hasText: "Sorry about that, Ann! I have corrected it." })
          .waitFor({ timeout: 10_000 });

        mkdirSync("test-results", { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(existsSync(SCREENSHOT)).toBe(true);

        // The agent completes: the page asks for a score, the answer lands in the history.
        await anna.complete(contactId);
        await page.getByRole("button", { name: "5 of 5" }).click();
        await waitUntil(
          "the thanks on the page",
          async () => /Thank you for your feedback/.test((await status.textContent()) ?? ""),
          10_000,
        );
        const tenant = stack.store.forTenant("default");
        const customer = await tenant.identity.resolve([
          { kind: "email", value: "ann.browser@example.com" },
        ]);
        const history = await tenant.history.getHistory(customer.customerId);
        expect(history.contacts.find((c) => c.contactId === contactId)?.csat).toBe(5);
        expect(problems).toEqual([]);
        anna.close();
      } finally {
        await browser?.close();
        await stack.stop();
      }
    },
    60_000,
  );
});
