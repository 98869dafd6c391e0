import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DiscordSim, startDiscordSim } from "../sim/discord/server.js";
import { BOT_TOKEN, testEnv } from "./world.js";

/** `npm start` as an operator runs it: the real entry point in a child process. */

let sim: DiscordSim;
let dir: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  sim = await startDiscordSim({ botToken: BOT_TOKEN });
  sim.createGuild({ name: "Server" });
  dir = mkdtempSync(join(tmpdir(), "ppb-main-"));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(token: string): {
  output: () => string;
  exited: Promise<number | null>;
  waitFor(text: string): Promise<void>;
} {
  let output = "";
  const env = {
    ...testEnv(sim.apiUrl, sim.applicationId, join(dir, "bot.sqlite")),
    DISCORD_TOKEN: token,
    LOG_LEVEL: "info",
  };
  child = spawn(join(process.cwd(), "node_modules/.bin/tsx"), [join(process.cwd(), "src/main.ts")], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const w of waiters) w();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const proc = child;
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) resolve();
        };
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`exited before printing ${text}:\n${output}`)));
      }),
  };
}

describe("the entry point", () => {
  it("names DISCORD_TOKEN when Discord rejects the token, without printing it, and exits 1", async () => {
    const wrong = "wrong-token-that-must-not-leak.abcdefghij";
    const run = start(wrong);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("DISCORD_TOKEN");
    expect(run.output()).not.toContain(wrong);
    expect(run.output()).not.toMatch(/\n\s+at /);
  });

  it("runs until SIGTERM, then stops cleanly with exit code 0", async () => {
    const run = start(BOT_TOKEN);
    await run.waitFor("psn-party-bridge is running");
    expect(sim.connectedClients).toBe(1);
    child?.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("shutting down");
    expect(run.output()).not.toContain(BOT_TOKEN);
  });
});

describe("npm run sim:discord", () => {
  it("prints settings the configuration accepts as they are", async () => {
    const { parseConfig } = await import("../../src/config.js");
    const sim = spawn(join(process.cwd(), "node_modules/.bin/tsx"), ["test/sim/discord/main.ts"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let printed = "";
      await new Promise<void>((resolve, reject) => {
        sim.stdout?.on("data", (chunk: Buffer) => {
          printed += chunk.toString("utf8");
          if (printed.includes("Ctrl-C")) resolve();
        });
        sim.on("exit", () => reject(new Error(`sim:discord exited:\n${printed}`)));
      });
      const value = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(printed)?.[1] ?? "";
      const env = {
        ...testEnv(value("API URL"), value("Application id"), join(dir, "bot.sqlite")),
        DISCORD_TOKEN: value("Bot token"),
      };
      expect(() => parseConfig(env)).not.toThrow();
    } finally {
      sim.kill("SIGTERM");
    }
  });
});
