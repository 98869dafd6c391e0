import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { PermissionsBitField } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOT_TOKEN, testEnv } from "../../sim/botEnv.js";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";
import { type App, startApp } from "../../src/app.js";
import { commands } from "../../src/bot/commands/index.js";
import { invitePermissions } from "../../src/bot/permissions.js";
import { parseConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";

/** What an operator sees at start: where the commands go, and how to invite the bot. */

let sim: DiscordSim;
let dir: string;
let app: App | undefined;
let logLines: string[];

beforeEach(async () => {
  sim = await startDiscordSim({ botToken: BOT_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "ppb-operator-"));
  logLines = [];
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the real app on the simulator and one database file; stops the previous one. */
async function boot(env: Record<string, string> = {}): Promise<App> {
  await app?.stop();
  const config = parseConfig({ ...testEnv(sim.apiUrl, sim.applicationId, join(dir, "bot.sqlite")), ...env });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  app = await startApp(config, {
    log: createLogger({ level: "info", destination }),
    rest: { retries: 0, offset: 0 },
    schedulePolls: false,
  });
  return app;
}

const names = commands.map((c) => c.definition.name);
const globalNames = () => sim.commands().map((c) => c.name);
const guildNames = (guildId: string) => sim.commands({ guildId }).map((c) => c.name);
const commandPuts = () => sim.requests().filter((r) => r.method === "PUT" && r.path.endsWith("/commands"));

describe("DISCORD_DEV_GUILD_ID", () => {
  it("registers in that server only, where a command works at once", async () => {
    const guild = sim.createGuild({ name: "Dev server" });
    await boot({ DISCORD_DEV_GUILD_ID: guild.id });
    expect(guildNames(guild.id)).toEqual(names);
    expect(globalNames()).toEqual([]);

    const owner = sim.createUser({ username: "dev" });
    sim.addMember(guild.id, owner.id);
    const answer = await sim
      .runSlashCommand({ guildId: guild.id, userId: owner.id, name: "help" })
      .response();
    expect(answer.ephemeral).toBe(true);

    const puts = commandPuts().length;
    await boot({ DISCORD_DEV_GUILD_ID: guild.id });
    expect(commandPuts()).toHaveLength(puts);
  });

  it("switching to it clears the global set, switching back clears the server", async () => {
    const guild = sim.createGuild({ name: "Dev server" });
    await boot();
    expect(globalNames()).toEqual(names);
    expect(guildNames(guild.id)).toEqual([]);

    await boot({ DISCORD_DEV_GUILD_ID: guild.id });
    expect(guildNames(guild.id)).toEqual(names);
    expect(globalNames()).toEqual([]);

    await boot();
    expect(globalNames()).toEqual(names);
    expect(guildNames(guild.id)).toEqual([]);
  });
});

describe("the invite link", () => {
  const inviteLines = () => logLines.filter((l) => l.includes("discord.com/oauth2/authorize"));

  it("is logged when the bot starts in no server, asking for exactly what it needs", async () => {
    await boot();
    expect(inviteLines()).toHaveLength(1);
    const { inviteUrl } = JSON.parse(inviteLines()[0] as string) as { inviteUrl: string };
    expect(inviteUrl).toBe(
      `https://discord.com/oauth2/authorize?client_id=${sim.applicationId}&scope=bot+applications.commands&permissions=${invitePermissions()}`,
    );
    const url = new URL(inviteUrl);
    expect(url.searchParams.get("scope")).toBe("bot applications.commands");
    expect(
      new PermissionsBitField(BigInt(url.searchParams.get("permissions") ?? "0")).toArray().sort(),
    ).toEqual(["EmbedLinks", "ReadMessageHistory", "SendMessages", "ViewChannel"]);
  });

  it("is not logged when the bot is in a server", async () => {
    sim.createGuild({ name: "Server" });
    await boot();
    expect(logLines.some((l) => l.includes("connected to Discord"))).toBe(true);
    expect(inviteLines()).toEqual([]);
  });

  it("is the one the README shows", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain(
      `https://discord.com/oauth2/authorize?client_id=<application id>&scope=bot+applications.commands&permissions=${invitePermissions()}`,
    );
  });
});
