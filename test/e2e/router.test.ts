import { Writable } from "node:stream";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../src/bot/commands/index.js";
import { GENERIC_FAILURE, UserError } from "../../src/bot/errors.js";
import type { ButtonFamily, SlashCommand } from "../../src/bot/handlers.js";
import { UNKNOWN_BUTTON } from "../../src/bot/router.js";
import { createLogger } from "../../src/log.js";
import { startWorld, type World } from "./world.js";

const boom: SlashCommand = {
  definition: new SlashCommandBuilder().setName("boom").setDescription("Always fails"),
  async execute() {
    throw new Error("kaboom with token=s3cr3t-value");
  },
};

const refuse: SlashCommand = {
  definition: new SlashCommandBuilder().setName("refuse").setDescription("Always refuses"),
  async execute() {
    throw new UserError("Not today.");
  },
};

const slowBoom: SlashCommand = {
  definition: new SlashCommandBuilder().setName("slow-boom").setDescription("Defers, then fails"),
  async execute(interaction: ChatInputCommandInteraction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    throw new Error("failed after deferring");
  },
};

const suggest: SlashCommand = {
  definition: new SlashCommandBuilder()
    .setName("suggest")
    .setDescription("Autocompletes, sometimes badly")
    .addStringOption((o) => o.setName("query").setDescription("what to look for").setAutocomplete(true)),
  async execute() {},
  async autocomplete(interaction) {
    const query = interaction.options.getFocused();
    if (query === "fail") throw new Error("autocomplete failed");
    await interaction.respond([{ name: `${query}!`, value: query }]);
  },
};

const ping: ButtonFamily = {
  prefix: "ping",
  async execute(interaction, id) {
    await interaction.reply({ content: `pong ${id}`, flags: MessageFlags.Ephemeral });
  },
};

const explode: ButtonFamily = {
  prefix: "explode",
  async execute(interaction) {
    await interaction.deferUpdate();
    throw new Error("button failed");
  },
};

let world: World;
let logged: Record<string, unknown>[];

beforeEach(async () => {
  logged = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logged.push(JSON.parse(line));
      done();
    },
  });
  world = await startWorld({
    app: { commands: [...commands, boom, refuse, slowBoom, suggest], components: [ping, explode] },
    log: createLogger({ level: "warn", destination }),
  });
});
afterEach(async () => {
  await world.stop();
});

async function postButtons(...ids: string[]): Promise<string> {
  const channel = await world.app.client.channels.fetch(world.partyChannel.id);
  if (!channel?.isSendable()) throw new Error("party channel not sendable");
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Secondary)),
  );
  const message = await channel.send({ content: "buttons", components: [row] });
  return message.id;
}

function click(messageId: string, customId: string) {
  return world.discord.clickButton({
    channelId: world.partyChannel.id,
    messageId,
    customId,
    userId: world.member.id,
    guildId: world.guild.id,
  });
}

describe("the interaction router", () => {
  it("answers a failing handler with a private apology, logs it without secrets, and keeps working", async () => {
    const answer = await world.slash(world.member, "boom").response();
    expect(answer).toMatchObject({ ephemeral: true, content: GENERIC_FAILURE });

    const entry = logged.find((l) => l.msg === "interaction handler failed");
    expect(entry).toMatchObject({ guildId: world.guild.id, userId: world.member.id, command: "boom" });
    expect(JSON.stringify(entry)).not.toContain("s3cr3t-value");

    const help = await world.slash(world.member, "help").response();
    expect(help.embeds).toHaveLength(1);
  });

  it("shows a UserError as it is, privately, without logging it", async () => {
    const answer = await world.slash(world.member, "refuse").response();
    expect(answer).toMatchObject({ ephemeral: true, content: "Not today." });
    expect(logged).toEqual([]);
  });

  it("edits a deferred reply into the apology", async () => {
    const handle = world.slash(world.member, "slow-boom");
    const answer = await handle.response();
    expect(answer).toMatchObject({ kind: "editReply", ephemeral: true, content: GENERIC_FAILURE });
  });

  it("routes autocomplete, and answers no choices when it fails", async () => {
    const autocomplete = (query: string) =>
      world.discord
        .runAutocomplete({
          guildId: world.guild.id,
          userId: world.member.id,
          name: "suggest",
          options: { query },
          focused: "query",
        })
        .autocompleteChoices();
    expect(await autocomplete("hel")).toEqual([{ name: "hel!", value: "hel" }]);
    expect(await autocomplete("fail")).toEqual([]);
    expect(logged.find((l) => l.msg === "autocomplete failed")).toMatchObject({ command: "suggest" });
  });

  it("routes a button by its custom_id prefix and passes the id", async () => {
    const messageId = await postButtons("ping:42", "nope:1", "malformed");
    expect(await click(messageId, "ping:42").response()).toMatchObject({
      ephemeral: true,
      content: "pong 42",
    });
    expect(await click(messageId, "nope:1").response()).toMatchObject({
      ephemeral: true,
      content: UNKNOWN_BUTTON,
    });
    expect(await click(messageId, "malformed").response()).toMatchObject({
      ephemeral: true,
      content: UNKNOWN_BUTTON,
    });
  });

  it("follows up privately when a button fails after deferring, leaving its message alone", async () => {
    const messageId = await postButtons("explode:1");
    const handle = click(messageId, "explode:1");
    const followUp = await handle.waitForFollowUp(1);
    expect(followUp).toMatchObject({ ephemeral: true, content: GENERIC_FAILURE });
    expect(world.discord.message(world.partyChannel.id, messageId)?.content).toBe("buttons");
    expect(logged.find((l) => l.msg === "interaction handler failed")).toMatchObject({
      customId: "explode:1",
    });
  });
});
