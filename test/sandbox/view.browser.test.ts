import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import { startView, type ViewServer } from "../../sandbox/view/server.js";
import { resolveChromium } from "../support/browser.js";

/**
 * The sandbox view in a real browser: the whole story a newcomer plays through it, with
 * the real bot behind. UPDATE_SCREENSHOTS=1 also writes the README's docs/sandbox.png.
 */

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

let sandbox: Sandbox;
let view: ViewServer;
let browser: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  // Polls run when the page acts (and never on their own), so each step's outcome is awaited, not timed.
  sandbox = await startSandbox({ schedulePolls: false });
  view = await startView(sandbox);
  const chromiumBinary = await resolveChromium();
  profileDir = mkdtempSync(join(tmpdir(), "ppb-chromium-"));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumBinary.executablePath,
    env: chromiumBinary.env,
    headless: true,
    args: ARGS,
    viewport: { width: 1500, height: 1000 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await view?.close();
  await sandbox?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const partyChannel = (page: Page) => page.locator('[data-channel="parties"]');
const inbox = (page: Page, username: string) => page.locator(`details.inbox[data-user="${username}"]`);
const psnRow = (page: Page, onlineId: string) => page.locator(`.psn-account[data-account="${onlineId}"]`);

async function runSlash(page: Page, as: string, command: string, options: Record<string, string> = {}) {
  await page.selectOption("#actor", { label: as });
  const name = command.split(" ")[0]!;
  await page.locator(`details.command[data-name="${name}"] > summary`).click();
  const form = page.locator(`form.slash[data-command="${command}"]`);
  for (const [option, value] of Object.entries(options)) {
    await form.locator(`[name="opt.${option}"]`).selectOption(value);
  }
  await form.locator("button.slash-run").click();
}

async function cardButton(card: Locator, label: string): Promise<Locator> {
  return card.locator("button.btn", { hasText: label });
}

describe("the sandbox view in a real browser", () => {
  it("links a member through the sign-in page, shows the card live, requests and approves an invite, ends it", async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(view.url);
    expect(await page.title()).toBe("Sandbox · PlayStation Friends");
    // The command panel is built from what the bot registered in the Discord simulator.
    for (const name of ["link", "me", "privacy", "unlink", "config"]) {
      await expect(page.locator(`details.command[data-name="${name}"]`).count()).resolves.toBe(1);
    }
    await expect(
      page.locator('form.slash[data-command="config channel"] [name="opt.channel"]').count(),
    ).resolves.toBe(1);

    // A form being filled in survives the page's live updates: the command panel is redrawn
    // only when the bot's commands change, not when something else happens.
    await page.locator('details.command[data-name="config"] > summary').click();
    const channelOption = page.locator('form.slash[data-command="config channel"] [name="opt.channel"]');
    await channelOption.selectOption({ label: "#general" });
    await sandbox.setPresence(sandbox.member("bob").psn.accountId, { online: true, game: "Astro Bot" });
    await page
      .locator('[data-region="activity"] li', { hasText: "Bob-Plays is online playing Astro Bot" })
      .waitFor();
    expect(await channelOption.evaluate((el) => (el as unknown as { value: string }).value)).toBe(
      sandbox.generalChannelId,
    );
    await page.locator('details.command[data-name="config"] > summary').click();

    // Alice runs /link; the DM's button opens the bot's real sign-in page, where her NPSSO (shown in the PSN panel) links her.
    await runSlash(page, "@alice", "link");
    const signInLink = inbox(page, "alice").locator(".dms a.btn.link", { hasText: "Open sign-in page" });
    await signInLink.waitFor();
    // Her NPSSO (shown in the PSN panel) goes to the clipboard with the Copy button beside it.
    const shownNpsso = (await psnRow(page, "Alice_PS").locator(".npsso-value").textContent())?.trim() ?? "";
    const copy = psnRow(page, "Alice_PS").locator("button.copy");
    await copy.click();
    await psnRow(page, "Alice_PS").locator("button.copy", { hasText: "Copied" }).waitFor();
    const npsso = String(await page.evaluate("navigator.clipboard.readText()"));
    expect(npsso).toBe(shownNpsso);
    const [signIn] = await Promise.all([browser.waitForEvent("page"), signInLink.click()]);
    await signIn.waitForLoadState();
    expect((await signIn.locator("h1").textContent())?.trim()).toBe("Link your PlayStation account");
    await signIn.fill("#npsso", npsso);
    await signIn.click("button[type=submit]");
    await signIn.locator(".done h1").waitFor();
    expect((await signIn.locator("h1").textContent())?.trim()).toBe("Linked as Alice_PS");
    await signIn.close();
    await inbox(page, "alice").locator(".dms .msg", { hasText: "is now linked" }).waitFor();

    // Alice approves invitations herself; Carol links too (as in the scene, without the browser).
    await runSlash(page, "@alice", "privacy invites", { mode: "approve" });
    await inbox(page, "alice").locator(".private .msg", { hasText: "Invite requests: approve" }).waitFor();
    await sandbox.link("carol");

    // PSN: Alice starts a party; the card appears in #parties, drawn like Discord.
    await psnRow(page, "Alice_PS").locator("button.start-party").click();
    const card = partyChannel(page).locator(".msg").filter({ hasText: "Alice_PS's party" });
    await card.waitFor();
    expect(await card.locator(".embed-title").textContent()).toBe("Alice_PS's party");
    expect(await card.locator(".embed-title").getAttribute("href")).toMatch(/^https:\/\//);
    expect(await card.locator(".field-name").first().textContent()).toBe("Members (1/4)");
    await expect((await cardButton(card, "Request invite")).isEnabled()).resolves.toBe(true);

    // A PSN friend joins: the card is edited in place.
    await page
      .locator(".psn-party form[action='/act/party/join'] select")
      .selectOption({ label: "Dave_Friend" });
    await page.locator(".psn-party button.join-party").click();
    await card.locator(".field-name", { hasText: "Members (2/4)" }).waitFor();
    await card.locator(".edited").waitFor();

    // Carol presses Request invite; Alice gets a DM to approve and approves it there.
    await page.selectOption("#actor", { label: "@carol" });
    await (await cardButton(card, "Request invite")).click();
    await inbox(page, "carol").locator(".private .msg", { hasText: "asked them" }).waitFor();
    const approval = inbox(page, "alice").locator(".dms .msg", { hasText: "asks for an invitation" });
    await approval.locator("button.btn", { hasText: "Approve" }).click();
    // The decided DM still says who asked and for which party.
    const approved = inbox(page, "alice").locator(".dms .msg", { hasText: "Approved" });
    await approved.waitFor();
    expect(await approved.locator(".content").textContent()).toMatch(
      /^carol \(PSN carol_99\) asks for an invitation to Alice_PS's party\.\s*Approved: the invitation was sent\./,
    );
    const carol = sandbox.member("carol");
    expect(sandbox.psn.invitations(carol.psn.accountId)).toHaveLength(1);

    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync("docs", { recursive: true });
      await page.screenshot({ path: "docs/sandbox.png" });
    }
    await page.screenshot({ path: join(tmpdir(), "ppb-sandbox.png") });

    // PSN: the party ends; the card turns grey, its buttons disabled.
    await page.locator(".psn-party button.end-party").click();
    await card.locator(".embed-description", { hasText: "Ended" }).waitFor();
    await expect((await cardButton(card, "Request invite")).isDisabled()).resolves.toBe(true);
    await expect(card.locator(".btn.link.disabled").count()).resolves.toBe(1);
    expect(violations).toEqual([]);
    await page.close();
  }, 90_000);
});
