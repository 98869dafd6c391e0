import { SlashCommandBuilder } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../src/bot/commands/index.js";
import { deployCommands } from "../../src/bot/deployCommands.js";
import type { SlashCommand } from "../../src/bot/handlers.js";
import { UNKNOWN_COMMAND } from "../../src/bot/router.js";
import { findGuild } from "../../src/db/guilds.js";
import { eventually, startWorld, type World } from "./world.js";

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.stop();
});

function globalPuts(): number {
  const path = `/applications/${world.discord.applicationId}/commands`;
  return world.discord.requests().filter((r) => r.method === "PUT" && r.path === path && r.status === 200)
    .length;
}

const extra: SlashCommand = {
  definition: new SlashCommandBuilder().setName("extra").setDescription("A command added in a new version"),
  async execute() {},
};

describe("servers joining and leaving", () => {
  it("records a server the bot is in at start and one it joins later", async () => {
    expect(await findGuild(world.app.ctx.db, world.guild.id)).toBeDefined();
    const joined = world.discord.createGuild({ name: "Another server" });
    await eventually(() => findGuild(world.app.ctx.db, joined.id), "the new server's row");
  });

  it("deletes a server's settings when the bot is removed from it", async () => {
    await world
      .slash(world.admin, "config", { subcommand: "channel", options: { channel: world.partyChannel.id } })
      .response();
    expect((await findGuild(world.app.ctx.db, world.guild.id))?.channelId).toBe(world.partyChannel.id);

    world.discord.removeGuild(world.guild.id);
    await eventually(
      async () => (await findGuild(world.app.ctx.db, world.guild.id)) === undefined,
      "the settings to go",
    );
  });
});

describe("slash command registration", () => {
  it("registers globally at the first start and skips it when nothing changed", async () => {
    expect(globalPuts()).toBe(1);
    expect(world.discord.commands().map((c) => c.name)).toEqual(commands.map((c) => c.definition.name));

    await world.restartApp();
    expect(globalPuts()).toBe(1);

    await world.restartApp({ commands: [...commands, extra] });
    expect(globalPuts()).toBe(2);
    expect(world.discord.commands().map((c) => c.name)).toContain("extra");
  });

  it("answers a command Discord still lists but this version no longer has", async () => {
    await world.restartApp({ commands: [...commands, extra] });
    await world.restartApp({ commands, registerCommands: false });
    const answer = await world.slash(world.member, "extra").response();
    expect(answer).toMatchObject({ ephemeral: true, content: UNKNOWN_COMMAND });
  });

  it("deploy-commands registers in one server over REST alone", async () => {
    const names = await deployCommands(world.config, { guildId: world.guild.id });
    expect(names).toEqual(commands.map((c) => c.definition.name));
    expect(world.discord.commands({ guildId: world.guild.id }).map((c) => c.name)).toEqual(names);
  });
});
