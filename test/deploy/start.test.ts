import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { staleReason } from "../../scripts/build.mjs";
import { BOT_TOKEN, testEnv } from "../../sim/botEnv.js";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";
import { exitWithin, killGroup, type Started, startGroup } from "../support/processes.js";

/**
 * `npm start` as an operator meets it on a fresh clone with `npm ci` done: the first
 * start builds, later ones do not, and a stop signal (a terminal's Ctrl-C, or SIGTERM
 * to npm from a supervisor) stops the bot within 10 s and leaves no process behind.
 */

const REPO = process.cwd();
const STOP_DEADLINE_MS = 10_000;

describe("when dist/ is stale (scripts/build.mjs)", () => {
  let root: string;
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "ppb-stale-"));
    mkdirSync(join(root, "src/bot"), { recursive: true });
    writeFileSync(join(root, "src/bot/a.ts"), "export {};\n");
    writeFileSync(join(root, "tsconfig.json"), "{}\n");
    writeFileSync(join(root, "tsconfig.build.json"), "{}\n");
    writeFileSync(join(root, "package-lock.json"), "{}\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is never built: stale", () => {
    expect(staleReason(root)).toBe("dist/ has not been built yet");
  });

  it("a stamp newer than every source: current; a newer source file, directory or tsconfig: stale", () => {
    mkdirSync(join(root, "dist"), { recursive: true });
    writeFileSync(join(root, "dist/main.js"), "");
    writeFileSync(join(root, "dist/.build-stamp"), "");
    for (const path of ["src/bot/a.ts", "src/bot", "src", "tsconfig.json", "tsconfig.build.json"])
      at(path, 1000);
    at("dist/.build-stamp", 2000);
    expect(staleReason(root)).toBeNull();

    at("package-lock.json", 3000); // npm prune rewrites it; the build does not read it
    expect(staleReason(root)).toBeNull();

    at("src/bot/a.ts", 3000);
    expect(staleReason(root)).toBe("src changed since the last build");
    at("src/bot/a.ts", 1000);
    at("src/bot", 3000); // a source file deleted
    expect(staleReason(root)).toBe("src changed since the last build");
    at("src/bot", 1000);
    at("tsconfig.build.json", 3000);
    expect(staleReason(root)).toBe("tsconfig.build.json changed since the last build");
  });

  it("a build that never finished (no stamp) is stale", () => {
    rmSync(join(root, "dist/.build-stamp"));
    expect(staleReason(root)).toBe("dist/ has not been built yet");
  });
});

describe("npm start on a fresh clone", () => {
  let sim: DiscordSim;
  let clone: string;
  let running: Started | undefined;

  beforeAll(async () => {
    sim = await startDiscordSim({ botToken: BOT_TOKEN });
    sim.createGuild({ name: "Server" });
    // What a clone holds that `npm start` reads, and the installed packages.
    clone = mkdtempSync(join(tmpdir(), "ppb-clone-"));
    for (const path of [
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "scripts",
      "src",
      "migrations",
    ]) {
      cpSync(join(REPO, path), join(clone, path), { recursive: true });
    }
    symlinkSync(join(REPO, "node_modules"), join(clone, "node_modules"));
  });
  afterEach(() => killGroup(running));
  afterAll(async () => {
    await sim?.stop();
    rmSync(clone, { recursive: true, force: true });
  });

  const npmStart = () =>
    startGroup("npm", ["start"], {
      cwd: clone,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: clone,
        ...testEnv(sim.apiUrl, sim.applicationId, join(clone, "data/bot.sqlite")),
        LOG_LEVEL: "info",
      },
    });

  it("builds the first time, and Ctrl-C (SIGINT to the whole group) stops it cleanly", async () => {
    running = npmStart();
    await running.waitFor("psn-party-bridge is running");
    expect(running.output()).toContain("building (dist/ has not been built yet)");

    // A terminal signals every process of the foreground group, and npm forwards it again.
    process.kill(-running.pid, "SIGINT");
    await exitWithin(running, STOP_DEADLINE_MS);
    expect(running.groupAlive()).toBe(false);
    expect(running.output()).toContain('"msg":"stopped"');
    expect(running.output()).not.toContain("second signal");
  }, 120_000);

  it("does not build again when nothing changed, and SIGTERM to npm alone leaves no process", async () => {
    const stamp = statSync(join(clone, "dist/.build-stamp")).mtimeMs;
    running = npmStart();
    await running.waitFor("psn-party-bridge is running");
    expect(running.output()).not.toContain("building");
    expect(statSync(join(clone, "dist/.build-stamp")).mtimeMs).toBe(stamp);

    process.kill(running.pid, "SIGTERM");
    expect(await exitWithin(running, STOP_DEADLINE_MS)).toBe(0);
    expect(running.groupAlive()).toBe(false);
    expect(running.output()).toContain('"msg":"stopped"');
  }, 60_000);
});
