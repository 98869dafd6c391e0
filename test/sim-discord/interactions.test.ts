import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  EmbedBuilder,
  Events,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers.js";

const configCommand = new SlashCommandBuilder()
  .setName("config")
  .setDescription("Configure")
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) =>
    s
      .setName("channel")
      .setDescription("Set the channel")
      .addChannelOption((o) => o.setName("channel").setDescription("Where").setRequired(true)),
  )
  .addSubcommand((s) => s.setName("show").setDescription("Show"));
const pingCommand = new SlashCommandBuilder()
  .setName("ping")
  .setDescription("Ping")
  .addStringOption((o) => o.setName("mode").setDescription("How"));

const row = (customId: string) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId).setLabel("Go").setStyle(ButtonStyle.Primary),
  );

/** The tiny bot under test: each command name shows one discord.js answering style. */
async function handle(i: Interaction): Promise<void> {
  if (i.isChatInputCommand()) return handleCommand(i);
  if (i.isButton()) {
    if (i.customId === "update") await i.update({ content: `updated by ${i.user.username}`, components: [] });
    else if (i.customId === "eph") await i.reply({ content: "clicked", flags: MessageFlags.Ephemeral });
    else if (i.customId === "defer") {
      await i.deferUpdate();
      await i.editReply({ content: "edited after deferUpdate", components: [] });
    }
  }
}

async function handleCommand(i: ChatInputCommandInteraction): Promise<void> {
  if (i.commandName === "config") {
    if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      await i.reply({ content: "You need Manage Server.", flags: MessageFlags.Ephemeral });
      return;
    }
    const channel = i.options.getChannel("channel", true);
    await i.reply({ content: `channel set to ${channel.name}`, flags: MessageFlags.Ephemeral });
    return;
  }
  const mode = i.options.getString("mode") ?? "reply";
  switch (mode) {
    case "reply":
      await i.reply({
        content: "pong",
        embeds: [new EmbedBuilder().setTitle("Pong")],
        components: [row("update"), row("eph"), row("defer")],
      });
      return;
    case "defer":
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ content: "done thinking" });
      return;
    case "followup":
      await i.reply({ content: "first" });
      await i.followUp({ content: "second", flags: MessageFlags.Ephemeral });
      await i.followUp({ content: "third" });
      return;
    case "twice":
      await i.reply({ content: "once" });
      try {
        // discord.js refuses a second reply locally, so go to the wire to see Discord's answer.
        await i.client.rest.post(Routes.interactionCallback(i.id, i.token), {
          body: { type: 4, data: { content: "again" } },
          auth: false,
        });
      } catch (error) {
        await i.followUp({ content: `refused: ${(error as { code?: number }).code}` });
      }
      return;
  }
}

describe("Discord sim interactions with a real discord.js client", () => {
  let h: Harness;
  let member: string;
  let admin: string;
  beforeEach(async () => {
    h = await startHarness();
    h.client.on(Events.InteractionCreate, (i) => void handle(i));
    await h.client.application?.commands.set([configCommand.toJSON(), pingCommand.toJSON()], h.guildId);
    const managers = h.sim.createRole(h.guildId, {
      name: "Managers",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    member = h.sim.createUser({ username: "member" }).id;
    admin = h.sim.createUser({ username: "admin" }).id;
    h.sim.addMember(h.guildId, member);
    h.sim.addMember(h.guildId, admin, { roleIds: [managers.id] });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("registers guild commands with ids", () => {
    const cmds = h.sim.commands({ guildId: h.guildId });
    expect(cmds.map((c) => c.name).sort()).toEqual(["config", "ping"]);
    for (const c of cmds) expect(String(c.id)).toMatch(/^\d{17,19}$/);
    expect(h.sim.requests().some((r) => r.method === "PUT" && r.path.endsWith("/commands"))).toBe(true);
  });

  it("delivers a subcommand with a resolved channel and computes member permissions from roles", async () => {
    const other = h.sim.createChannel(h.guildId, { name: "parties" });
    const asAdmin = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: admin,
      name: "config",
      subcommand: "channel",
      options: { channel: other.id },
    });
    const ok = await asAdmin.response();
    expect(ok).toMatchObject({ kind: "reply", ephemeral: true, content: "channel set to parties" });
    expect(h.sim.channelMessages(h.channelId)).toHaveLength(0);

    const asMember = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: member,
      name: "config",
      options: [{ name: "channel", type: 1, options: [{ name: "channel", type: 7, value: other.id }] }],
    });
    expect(await asMember.response()).toMatchObject({ ephemeral: true, content: "You need Manage Server." });
  });

  it("a public reply lands in the channel with embeds and components", async () => {
    const run = h.sim.runSlashCommand({ guildId: h.guildId, userId: member, name: "ping" });
    const answer = await run.response();
    expect(answer.ephemeral).toBe(false);
    expect(answer.content).toBe("pong");
    expect(answer.embeds).toEqual([expect.objectContaining({ title: "Pong" })]);
    expect(answer.components).toHaveLength(3);
    const [posted] = h.sim.channelMessages(h.channelId);
    expect(posted?.id).toBe(answer.messageId);
    expect(run.callbackTypes).toEqual([4]);
  });

  it("defer then editReply resolves with the edited original", async () => {
    const run = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: member,
      name: "ping",
      options: { mode: "defer" },
    });
    const answer = await run.response();
    expect(answer).toMatchObject({ kind: "editReply", ephemeral: true, content: "done thinking" });
    expect(run.callbackTypes).toEqual([5]);
  });

  it("follow-ups are recorded in order, ephemeral or not", async () => {
    const run = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: member,
      name: "ping",
      options: { mode: "followup" },
    });
    expect((await run.response()).content).toBe("first");
    expect(await run.waitForFollowUp(1)).toMatchObject({ content: "second", ephemeral: true });
    expect(await run.waitForFollowUp(2)).toMatchObject({ content: "third", ephemeral: false });
    expect(h.sim.channelMessages(h.channelId).map((m) => m.content)).toEqual(["first", "third"]);
  });

  it("a second callback is refused with 40060", async () => {
    const run = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: member,
      name: "ping",
      options: { mode: "twice" },
    });
    expect((await run.waitForFollowUp(1)).content).toBe("refused: 40060");
  });

  it("buttons: update, ephemeral reply, and deferUpdate + editReply", async () => {
    const run = h.sim.runSlashCommand({ guildId: h.guildId, userId: member, name: "ping" });
    const { messageId } = await run.response();

    const eph = h.sim.clickButton({ channelId: h.channelId, messageId, customId: "eph", userId: admin });
    expect(await eph.response()).toMatchObject({ kind: "reply", ephemeral: true, content: "clicked" });

    const deferred = h.sim.clickButton({
      channelId: h.channelId,
      messageId,
      customId: "defer",
      userId: admin,
    });
    expect(await deferred.response()).toMatchObject({ messageId, content: "edited after deferUpdate" });

    const run2 = h.sim.runSlashCommand({ guildId: h.guildId, userId: member, name: "ping" });
    const second = await run2.response();
    const upd = h.sim.clickButton({
      channelId: h.channelId,
      messageId: second.messageId,
      customId: "update",
      userId: admin,
    });
    const updated = await upd.response();
    expect(updated).toMatchObject({
      kind: "update",
      messageId: second.messageId,
      content: "updated by admin",
    });
    expect(h.sim.message(h.channelId, second.messageId)?.components).toEqual([]);
    expect(h.sim.message(h.channelId, second.messageId)?.editedTimestamp).not.toBeNull();
  });

  it("a timeout names what was awaited", async () => {
    const run = h.sim.runSlashCommand({
      guildId: h.guildId,
      userId: member,
      name: "ping",
      options: { mode: "none" },
    });
    await expect(run.response(200)).rejects.toThrow(/the response to \/ping/);
  });

  it("refuses to run a command that is not registered", () => {
    expect(() => h.sim.runSlashCommand({ guildId: h.guildId, userId: member, name: "nope" })).toThrow(
      /not registered/,
    );
  });
});
