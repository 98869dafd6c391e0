import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readDotEnv } from "../../src/config.js";
import { exitWithin, groupGoneWithin, killGroup, type Started, startGroup } from "../support/processes.js";
import { act, optionValue, waitForRegions } from "../support/view.js";

/**
 * `npm run sim` and the production entry in two processes, as an operator runs them: the
 * bot takes its settings from the `.env.sim` the simulators wrote (sourced by a shell, as
 * docs/simulators.md says) and is driven from the view's control panel over HTTP: /config
 * channel as the admin, /link as alice, her demo NPSSO on the bot's own sign-in page, a
 * party on PSN, its card in #parties.
 */

const emptyEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
});

const tmp = mkdtempSync(join(tmpdir(), "ppb-simrun-"));
const envPath = join(tmp, ".env.sim");
let sim: Started | undefined;
let bot: Started | undefined;

afterAll(() => {
  killGroup(bot);
  killGroup(sim);
  rmSync(tmp, { recursive: true, force: true });
});

describe("npm run sim with npm start's entry against it", () => {
  it("links alice through the bot's sign-in page and shows her party's card in the view", async () => {
    sim = startGroup("npm", ["run", "--silent", "sim", "--", "--env-out", envPath, "--poll-interval", "5"], {
      cwd: process.cwd(),
      env: emptyEnv(),
    });
    await sim.waitFor(/Run the bot in another terminal/);
    const viewUrl = /View and control panel\s+(\S+)/.exec(sim.output())?.[1] ?? "";
    const signInUrl = /Bot's sign-in page\s+(\S+)/.exec(sim.output())?.[1] ?? "";
    const settings = readDotEnv(envPath);
    expect(`${settings.PUBLIC_BASE_URL}/`).toBe(signInUrl);
    expect(readFileSync(envPath, "utf8")).toContain("set -a;");

    // The bot, exactly as documented: the settings sourced into the environment, then the entry.
    bot = startGroup(
      "sh",
      ["-c", 'set -a; . "$0"; set +a; exec node_modules/.bin/tsx src/main.ts', envPath],
      {
        cwd: process.cwd(),
        env: emptyEnv(),
      },
    );
    await bot.waitFor("psn-party-bridge is running");

    // Once the bot has registered its commands, the panel offers them (no reload).
    await waitForRegions(
      viewUrl,
      (r) => (r.commands.includes('data-name="link"') ? true : undefined),
      "/link",
    );
    const page = await (await fetch(viewUrl)).text();
    const ada = optionValue(page, "@ada \\(admin\\)");
    const alice = optionValue(page, "@alice");
    const parties = optionValue(page, "#parties");
    expect([ada, alice, parties].every(Boolean)).toBe(true);

    expect(
      await act(viewUrl, "slash", { as: ada!, name: "config", sub: "channel", "opt.channel": parties! }),
    ).toMatchObject({ ok: true, message: "@ada ran /config channel: the bot answered." });
    expect(await act(viewUrl, "slash", { as: alice!, name: "link" })).toMatchObject({ ok: true });
    const link = await waitForRegions(
      viewUrl,
      (r) => new RegExp(`href="(${signInUrl}link/[^"]+)"`).exec(r.inbox)?.[1],
      "the sign-in link in alice's DM",
    );

    const psn = (await waitForRegions(viewUrl, (r) => r.psn, "PSN")).replace(/&quot;/g, '"');
    const aliceRow =
      /data-account="Alice_PS">[\s\S]*?data-copy="([^"]+)"[\s\S]*?name="account" value="([^"]+)"/.exec(psn);
    const [, npsso, accountId] = aliceRow ?? [];
    const signedIn = await fetch(link.replace(/&amp;/g, "&"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ npsso: npsso! }),
    });
    expect(await signedIn.text()).toContain("Linked as Alice_PS");

    expect(await act(viewUrl, "party/start", { account: accountId!, joinability: "open" })).toMatchObject({
      ok: true,
      message: "Alice_PS started a party. The bot sees it at its next poll.",
    });
    const card = await waitForRegions(
      viewUrl,
      (r) => /data-channel="parties">[\s\S]*?(Alice_PS&#39;s party)/.exec(r.channels)?.[1],
      "alice's card",
    );
    expect(card).toBe("Alice_PS&#39;s party");

    // Ctrl-C in the sim's terminal: it stops and throws the bot's database away.
    const dbPath = settings.DATABASE_PATH ?? "";
    expect(existsSync(dbPath)).toBe(true);
    process.kill(-sim.pid, "SIGINT");
    await exitWithin(sim, 10_000);
    expect(await groupGoneWithin(sim, 10_000)).toBe(true);
    expect(sim.output()).toContain("Simulators stopped.");
    expect(existsSync(dbPath)).toBe(false);
  }, 60_000);
});
