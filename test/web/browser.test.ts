import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import { startWorld, type World } from "../e2e/world.js";
import { resolveChromium } from "../support/browser.js";

// The same flags for Debian's Chromium and the bundled one. Nothing here (nor in what
// the bundled one needs) loosens web security: the test relies on the page's CSP.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

let world: World;
let browser: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  world = await startWorld();
  const chromiumBinary = await resolveChromium();
  profileDir = mkdtempSync(join(tmpdir(), "ppb-chromium-"));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumBinary.executablePath,
    env: chromiumBinary.env,
    headless: true,
    args: ARGS,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function dmLink(w: World): Promise<string> {
  const seen = new Set(w.discord.dmMessages(w.member.id).map((m) => m.id));
  await w.slash(w.member, "link").response();
  const dm = await w.discord.waitForDm(w.member.id, (m) => !seen.has(m.id));
  return linkButtonUrl(dm.components);
}

describe("the sign-in page in a real browser (phone-sized)", () => {
  it("a wrong NPSSO shows what to do, the right one links", async () => {
    const account = world.psn.createAccount({ onlineId: "Browser_Bob" });
    const url = await dmLink(world);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(url);
    expect((await page.locator("h1").textContent())?.trim()).toBe("Link your PlayStation account");
    expect(await page.locator(".who").textContent()).toContain("@member");
    // The stylesheet loaded under the CSP: the button has the accent background.
    const bg = await page
      .locator("button[type=submit]")
      // Runs in the page; this project's TypeScript has no DOM types.
      .evaluate((el) => {
        const view = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
        return view.getComputedStyle(el).backgroundColor;
      });
    expect(bg).not.toBe("rgba(0, 0, 0, 0)");
    await page.screenshot({ path: "/tmp/ppb-link-page.png", fullPage: true });

    await page.fill("#npsso", "z".repeat(64));
    await page.click("button[type=submit]");
    await page.locator(".notice.error").waitFor();
    expect(await page.locator(".notice.error").textContent()).toContain("did not accept that NPSSO");
    await page.screenshot({ path: "/tmp/ppb-link-error.png", fullPage: true });

    await page.fill("#npsso", `{"npsso":"${account.npsso}"}`);
    await page.click("button[type=submit]");
    await page.locator(".done h1").waitFor();
    expect((await page.locator("h1").textContent())?.trim()).toBe("Linked as Browser_Bob");
    await page.screenshot({ path: "/tmp/ppb-link-done.png", fullPage: true });
    expect(violations).toEqual([]);
    await page.close();

    // The browser enforces the policy (no launch flag loosens it): an inline script is refused.
    const other = await browser.newPage();
    await other.goto(url);
    await expect(other.addScriptTag({ content: "document.title = 'ran'" })).rejects.toThrow();
    expect(await other.title()).not.toBe("ran");
    await other.close();
  });
});
