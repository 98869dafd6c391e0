import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../sim/botEnv.js";
import { exitWithin, groupGoneWithin, killGroup, type Started, startGroup } from "../support/processes.js";
import { act, optionValue, waitForRegions } from "../support/view.js";

/**
 * `npm run sandbox` as a newcomer runs it: from the project directory, with nothing
 * configured (no .env, no Discord or PSN settings in the environment).
 */

const emptyEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
});

let started: Started | undefined;
afterEach(() => {
  killGroup(started);
  started = undefined;
});

/** The transcript's block under a heading, up to the next blank line. */
function block(transcript: string, heading: string): string {
  const start = transcript.indexOf(heading);
  if (start < 0) return "";
  const end = transcript.indexOf("\n\n", start);
  return transcript.slice(start, end < 0 ? undefined : end);
}

describe("npm run sandbox -- --scene", () => {
  it("plays the story and prints the card, its edit, the invitation and the ended card", async () => {
    started = startGroup("npm", ["run", "--silent", "sandbox", "--", "--scene"], {
      cwd: process.cwd(),
      env: emptyEnv(),
    });
    expect(await exitWithin(started, 60_000)).toBe(0);
    const transcript = started.output();

    const posted = block(transcript, "#parties, new card:");
    expect(posted).toContain("# Alice_PS's party");
    expect(posted).toContain("Members (1/4): @alice (host)");
    expect(posted).toContain("Access: Open to friends");
    expect(posted).toContain("[Join on PlayStation ↗] [Request invite]");

    const edited = block(transcript, "#parties, card edited:");
    expect(edited).toMatch(/Members \(2\/4\):\n.*@alice \(host\)\n.*Dave_Friend/);
    expect(edited).toContain("(edited)");

    expect(block(transcript, "DM to @alice:\n    carol (PSN carol_99) asks for an invitation")).toContain(
      "[Approve] [Deny]",
    );
    expect(transcript).toContain("Approved: the invitation was sent.");
    expect(block(transcript, "DM to @carol:")).toContain("Alice_PS approved your invite request");
    expect(transcript).toContain("PSN: invitation from Alice_PS to carol_99");

    const ended = block(transcript, "#parties, card ended:");
    expect(ended).toContain("Ended · lasted");
    expect(ended).toContain("[Join on PlayStation ↗ (disabled)] [Request invite (disabled)]");
  }, 90_000);
});

describe("npm run sandbox", () => {
  it("starts with nothing configured, prints one URL that serves the view, and leaves nothing behind on Ctrl-C", async () => {
    const port = await freePort();
    // Its own temporary directory, to see what the sandbox leaves there.
    const tmp = mkdtempSync(join(tmpdir(), "ppb-sandbox-cli-"));
    try {
      started = startGroup("npm", ["run", "--silent", "sandbox", "--", "--port", String(port)], {
        cwd: process.cwd(),
        env: { ...emptyEnv(), TMPDIR: tmp },
      });
      await started.waitFor(/Sign-in page .*: http:\/\/127\.0\.0\.1:\d+\/\n/);
      // The view's address, and beside it the bot's sign-in page (where a DM's link leads).
      const [viewUrl, signInUrl] = started.output().match(/http:\/\/\S+/g) ?? [];
      expect(viewUrl).toBe(`http://127.0.0.1:${port}/`);
      // The sign-in page's own stylesheet: served whatever the bot's health says.
      expect((await fetch(new URL("static/style.css", signInUrl))).status).toBe(200);
      expect(readdirSync(tmp).filter((f) => f.startsWith("ppb-sandbox-"))).toHaveLength(1);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain("PlayStation Friends");
      // The admin's setup went through the real /config: the bot answered it.
      expect(text).toContain("Party cards will be posted in");

      // A terminal signals every process of the foreground group (npm forwards it again).
      process.kill(-started.pid, "SIGINT");
      await exitWithin(started, 15_000);
      expect(await groupGoneWithin(started, 15_000)).toBe(true);
      expect(started.output()).toContain("Sandbox stopped.");
      // The generated database (and its key) are gone.
      expect(readdirSync(tmp).filter((f) => f.startsWith("ppb-sandbox-"))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 90_000);

  it("--host: the view, the simulators and the bot's sign-in page listen there, and the links in DMs name it", async () => {
    // Another loopback address: reachable here, and not where anything listens by default.
    const host = "127.0.0.2";
    started = startGroup("npm", ["run", "--silent", "sandbox", "--", "--host", host], {
      cwd: process.cwd(),
      env: emptyEnv(),
    });
    await started.waitFor(/Sign-in page .*\n/);
    const [viewUrl, signInUrl] = started.output().match(/http:\/\/\S+/g) ?? [];
    expect(new URL(viewUrl ?? "").hostname).toBe(host);
    expect(new URL(signInUrl ?? "").hostname).toBe(host);
    expect((await fetch(new URL("static/style.css", signInUrl))).status).toBe(200);

    const page = await (await fetch(viewUrl ?? "")).text();
    expect(
      await act(viewUrl ?? "", "slash", { as: optionValue(page, "@alice") ?? "", name: "link" }),
    ).toMatchObject({ ok: true });
    const link = await waitForRegions(
      viewUrl ?? "",
      (r) => /href="(http:[^"]*\/link\/[^"]*)"/.exec(r.inbox)?.[1],
      "the sign-in link in alice's DM",
    );
    expect(link.startsWith(signInUrl ?? "-")).toBe(true);
    process.kill(-started.pid, "SIGINT");
    await exitWithin(started, 15_000);
  }, 90_000);
});
