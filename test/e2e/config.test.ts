import { PermissionFlagsBits } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NEED_MANAGE_GUILD } from "../../src/bot/commands/config.js";
import { findGuild, updateGuild } from "../../src/db/guilds.js";
import { embedFields, firstEmbed, startWorld, type World } from "./world.js";

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.stop();
});

async function config(subcommand: string, options?: Record<string, string>) {
  const answer = await world
    .slash(world.admin, "config", { subcommand, ...(options ? { options } : {}) })
    .response();
  expect(answer.ephemeral).toBe(true);
  return answer;
}

async function show(): Promise<Record<string, string>> {
  return embedFields(await config("show"));
}

/** Every permission name `/config check` could mention, to assert exactly which ones it did. */
const PERMISSION_NAMES = ["View Channel", "Send Messages", "Embed Links", "Read Message History"];

function namedPermissions(text: string): string[] {
  return PERMISSION_NAMES.filter((name) => text.includes(`**${name}**`));
}

describe("/config", () => {
  it("shows the defaults of a new server", async () => {
    expect(await show()).toEqual({
      Status: "On, waiting for a channel",
      Channel: "Not set",
      "Mention role": "None",
      "Parties shown": "Joinable parties only",
      "Card text": "Default: the mention role",
      "Ended cards": "Kept (grey, buttons off)",
      "Presence board": "Off",
    });
  });

  it("changes what /config show reports with each subcommand", async () => {
    const role = world.discord.createRole(world.guild.id, { name: "Gamers", permissions: 0n });

    await config("channel", { channel: world.partyChannel.id });
    expect((await show()).Channel).toBe(`<#${world.partyChannel.id}>`);
    expect((await show()).Status).toBe("On");

    await config("role", { role: role.id });
    expect((await show())["Mention role"]).toBe(`<@&${role.id}>`);
    const cleared = await config("role");
    expect(firstEmbed(cleared).description).toContain("will not mention any role");
    expect((await show())["Mention role"]).toBe("None");

    await config("parties", { which: "all" });
    expect((await show())["Parties shown"]).toBe("All parties");
    await config("parties", { which: "joinable" });
    expect((await show())["Parties shown"]).toBe("Joinable parties only");

    // The poller ends open cards of a disabled server (src/jobs/reconcile.ts); the answer says so.
    const disabled = firstEmbed(await config("disable")).description ?? "";
    expect(disabled).toContain("Party cards are off");
    expect(disabled).toContain("end at the next poll");
    expect((await show()).Status).toBe("Off");
    await config("enable");
    expect((await show()).Status).toBe("On");

    const row = await findGuild(world.app.ctx.db, world.guild.id);
    expect(row).toMatchObject({
      channelId: world.partyChannel.id,
      mentionRoleId: null,
      show: "joinable",
      enabled: true,
    });
  });

  it("refuses to mention @everyone", async () => {
    const answer = await config("role", { role: world.guild.id });
    expect(answer.content).toContain("cannot mention @everyone");
    expect((await show())["Mention role"]).toBe("None");
  });

  it("refuses a member without Manage Server, and changes nothing", async () => {
    const answer = await world
      .slash(world.member, "config", { subcommand: "channel", options: { channel: world.partyChannel.id } })
      .response();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toBe(NEED_MANAGE_GUILD);
    expect((await findGuild(world.app.ctx.db, world.guild.id))?.channelId ?? null).toBeNull();
  });

  it("accepts Manage Server granted by a role added later", async () => {
    const mods = world.discord.createRole(world.guild.id, {
      name: "Mods",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    world.discord.addMember(world.guild.id, world.member.id, { roleIds: [mods.id] });
    const answer = await world.slash(world.member, "config", { subcommand: "show" }).response();
    expect(answer.embeds).toHaveLength(1);
  });

  it("check reports a missing channel", async () => {
    const text = firstEmbed(await config("check")).description ?? "";
    expect(text).toContain("No party channel is set");
    expect(namedPermissions(text)).toEqual([]);
  });

  it("check names exactly the permissions taken away from the bot in the party channel", async () => {
    await config("channel", { channel: world.partyChannel.id });
    const healthy = firstEmbed(await config("check"));
    expect(healthy.title).toBe("Party cards are ready");

    world.discord.setChannelOverwrite(world.partyChannel.id, {
      id: world.guild.botRoleId ?? "",
      type: "role",
      deny: PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.ReadMessageHistory,
    });
    const report = firstEmbed(await config("check"));
    expect(report.title).toBe("Party cards need attention");
    expect(namedPermissions(report.description ?? "")).toEqual(["Embed Links", "Read Message History"]);
    expect(report.description).toContain(`in <#${world.partyChannel.id}>: Channel settings → Permissions`);
  });

  it("check reports a channel the bot cannot see, and turned-off cards", async () => {
    await config("channel", { channel: world.partyChannel.id });
    await config("disable");
    world.discord.setChannelOverwrite(world.partyChannel.id, {
      id: world.guild.everyoneRoleId,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    const text = firstEmbed(await config("check")).description ?? "";
    expect(namedPermissions(text)).toEqual(["View Channel"]);
    expect(text).toContain("Party cards are turned off");
  });

  it("check keeps a pause while access is missing and lifts it once the channel works", async () => {
    await config("channel", { channel: world.partyChannel.id });
    const lost = { code: "missingAccess", channelId: world.partyChannel.id } as const;
    await updateGuild(world.app.ctx.db, world.guild.id, { pausedReason: lost });
    expect((await show()).Status).toBe(
      `Paused: Missing Access (50001): the bot cannot see <#${world.partyChannel.id}>`,
    );

    world.discord.setChannelOverwrite(world.partyChannel.id, {
      id: world.guild.botRoleId ?? "",
      type: "role",
      deny: PermissionFlagsBits.SendMessages,
    });
    const stillPaused = firstEmbed(await config("check")).description ?? "";
    expect(stillPaused).toContain("Cards are paused");
    expect((await findGuild(world.app.ctx.db, world.guild.id))?.pausedReason).toEqual(lost);

    world.discord.setChannelOverwrite(world.partyChannel.id, {
      id: world.guild.botRoleId ?? "",
      type: "role",
    });
    const resumed = firstEmbed(await config("check")).description ?? "";
    expect(resumed).toContain("they are resumed");
    expect((await findGuild(world.app.ctx.db, world.guild.id))?.pausedReason).toBeNull();
    expect((await show()).Status).toBe("On");
  });

  it("warns when the chosen channel lacks a permission the bot needs", async () => {
    world.discord.setChannelOverwrite(world.partyChannel.id, {
      id: world.guild.botRoleId ?? "",
      type: "role",
      deny: PermissionFlagsBits.EmbedLinks,
    });
    const text = firstEmbed(await config("channel", { channel: world.partyChannel.id })).description ?? "";
    expect(text).toContain(`Party cards will be posted in <#${world.partyChannel.id}>`);
    expect(namedPermissions(text)).toEqual(["Embed Links"]);
  });
});
