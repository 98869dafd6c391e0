import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOT_TOKEN, testEnv } from "../../sim/botEnv.js";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";

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

function start(
  token: string,
  overrides: Record<string, string> = {},
): {
  output: () => string;
  exited: Promise<number | null>;
  waitFor(text: string): Promise<void>;
} {
  let output = "";
  const env = {
    ...testEnv(sim.apiUrl, sim.applicationId, join(dir, "bot.sqlite")),
    DISCORD_TOKEN: token,
    LOG_LEVEL: "info",
    ...overrides,
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

/** The one fatal line a failed start ends with. */
function fatalLine(output: string): { msg: string; step?: string; code?: string } {
  const fatal = output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: number; msg: string; step?: string; code?: string })
    .filter((l) => l.level === 60);
  expect(fatal).toHaveLength(1);
  return fatal[0]!;
}

describe("a start that fails names its cause and the setting to change", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.close();
      for (const socket of (server as Server & { held?: Socket[] }).held ?? []) socket.destroy();
    }
  });

  async function listening(server: Server): Promise<number> {
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  }

  it("WEB_PORT already in use", async () => {
    const port = await listening(createServer());
    const run = start(BOT_TOKEN, { WEB_PORT: String(port) });
    expect(await run.exited).toBe(1);
    const fatal = fatalLine(run.output());
    expect(fatal).toMatchObject({ step: "web", code: "EADDRINUSE" });
    expect(fatal.msg).toContain(`127.0.0.1:${port}`);
    expect(fatal.msg).toContain("already in use");
    expect(fatal.msg).toContain("WEB_PORT");
    expect(fatal.msg).not.toContain("Discord");
  });

  it.each([
    ["a file that is not a database", "notes.txt", "SQLITE_NOTADB", "is not a SQLite database"],
    ["a folder under a file", "notes.txt/data/bot.sqlite", "ENOTDIR", "cannot be created"],
  ])("DATABASE_PATH: %s", async (_what, relative, code, says) => {
    writeFileSync(join(dir, "notes.txt"), "shopping list: eggs, milk, a new party chat headset\n".repeat(20));
    const path = join(dir, relative);
    const run = start(BOT_TOKEN, { DATABASE_PATH: path });
    expect(await run.exited).toBe(1);
    const fatal = fatalLine(run.output());
    expect(fatal).toMatchObject({ step: "database", code });
    expect(fatal.msg).toContain("DATABASE_PATH");
    expect(fatal.msg).toContain(says);
    expect(fatal.msg).toContain(path);
  });

  it("a Discord API that accepts connections and never answers: the start fails at the login timeout", async () => {
    const held: Socket[] = [];
    const silent = Object.assign(
      createNetServer((socket) => void held.push(socket)),
      { held },
    );
    const port = await listening(silent as unknown as Server);
    const apiUrl = `http://127.0.0.1:${port}/api`;
    const run = start(BOT_TOKEN, { DISCORD_API_BASE_URL: apiUrl, DISCORD_LOGIN_TIMEOUT_SECONDS: "1" });
    await run.waitFor("web server listening");
    expect(await run.exited).toBe(1);
    expect(held.length).toBeGreaterThan(0);
    const fatal = fatalLine(run.output());
    expect(fatal).toMatchObject({ step: "discord" });
    expect(fatal.msg).toContain("Discord did not answer within 1 s");
    expect(fatal.msg).toContain(`DISCORD_API_BASE_URL ${apiUrl}`);
    expect(run.output()).not.toContain("AbortError");
  });
});

describe("npm run sim:discord", () => {
  it("prints settings the configuration accepts as they are", async () => {
    const { parseConfig } = await import("../../src/config.js");
    const sim = spawn(join(process.cwd(), "node_modules/.bin/tsx"), ["sim/discord/main.ts"], {
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
