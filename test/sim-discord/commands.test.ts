import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DiscordSim, startDiscordSim } from "../../sim/discord/server.js";

const TOKEN = "sim-commands-token.0123456789";
let sim: DiscordSim;
let guildId: string;

beforeEach(async () => {
  sim = await startDiscordSim({ botToken: TOKEN });
  guildId = sim.createGuild({ name: "Server" }).id;
});
afterEach(async () => {
  await sim.stop();
});

async function put(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.apiUrl}/v10${path}`, {
    method: "PUT",
    headers: { authorization: `Bot ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const command = (name: string, description = "does a thing") => ({ name, description, type: 1 });

describe("bulk overwrite of application commands", () => {
  it("in a server answers the commands with their guild_id, as Discord does", async () => {
    const { status, json } = await put(`/applications/${sim.applicationId}/guilds/${guildId}/commands`, [
      command("help"),
    ]);
    expect(status).toBe(200);
    expect(json).toEqual([
      expect.objectContaining({ name: "help", guild_id: guildId, application_id: sim.applicationId }),
    ]);
    expect(sim.commands().map((c) => c.name)).toEqual([]);
  });

  it("in a server the bot is not in is refused with Missing Access", async () => {
    const other = sim.createGuild({ name: "Elsewhere", withBot: false }).id;
    const { status, json } = await put(`/applications/${sim.applicationId}/guilds/${other}/commands`, []);
    expect(status).toBe(403);
    expect(json).toMatchObject({ code: 50001 });
  });

  it.each([
    ["an upper-case name", [command("Help")]],
    ["a name with a space", [command("my help")]],
    ["a name over 32 characters", [command("x".repeat(33))]],
    ["an empty description", [command("help", "")]],
    ["a description over 100 characters", [command("help", "x".repeat(101))]],
    ["two commands with one name", [command("help"), command("help")]],
  ])("refuses %s (50035), globally and in a server", async (_what, body) => {
    for (const path of [
      `/applications/${sim.applicationId}/commands`,
      `/applications/${sim.applicationId}/guilds/${guildId}/commands`,
    ]) {
      const { status, json } = await put(path, body);
      expect(status).toBe(400);
      expect(json).toMatchObject({ code: 50035 });
    }
  });

  it("refuses more than 100 commands (30032)", async () => {
    const body = Array.from({ length: 101 }, (_, i) => command(`c${i}`));
    const { status, json } = await put(`/applications/${sim.applicationId}/commands`, body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 30032 });
  });
});
