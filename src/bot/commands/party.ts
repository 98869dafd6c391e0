/**
 * /party [member]: a member's current party as its card, with the same buttons, only
 * for the one who asked. Read from what the poller stored (bot/party/status.ts), never
 * from PSN: anyone may run it, as often as they like, and it must not spend the
 * member's PSN budget.
 */
import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { type CardRow, findAllOpenCards, findLiveCards } from "../../db/cards.js";
import { ensureGuild } from "../../db/guilds.js";
import type { Store } from "../../db/store.js";
import { findUser } from "../../db/users.js";
import { announcingGuildsOf } from "../../db/watch.js";
import { guildSettingsOf } from "../../domain/guild.js";
import type { Party } from "../../domain/party.js";
import { partyFromJson } from "../../domain/storedParty.js";
import type { BotContext } from "../context.js";
import { messageUrl } from "../embeds/partiesList.js";
import { renderPartyCard } from "../embeds/partyCard.js";
import { UserError } from "../errors.js";
import { type MemberFacts, partyStatus, partyStatusText } from "../party/status.js";

export const definition = new SlashCommandBuilder()
  .setName("party")
  .setDescription("Show a member's current party (yours by default), only to you")
  .setContexts(InteractionContextType.Guild)
  .addUserOption((o) => o.setName("member").setDescription("Whose party; leave empty for yours"));

/** The cards showing this Discord user, with their stored party. */
function cardsShowing(rows: readonly CardRow[], discordUserId: string): { row: CardRow; party: Party }[] {
  return rows.flatMap((row) => {
    const party = partyFromJson(row.partyJson);
    return party?.members.some((m) => m.discordUserId === discordUserId) ? [{ row, party }] : [];
  });
}

async function factsOf(db: Store, guildId: string, discordUserId: string): Promise<MemberFacts> {
  const user = await findUser(db, discordUserId);
  const here = cardsShowing(await findLiveCards(db, guildId), discordUserId)[0];
  const elsewhere = here ? undefined : cardsShowing(await findAllOpenCards(db), discordUserId)[0];
  const announced = (await announcingGuildsOf(db, [discordUserId])).get(discordUserId) ?? [];
  const guild = await ensureGuild(db, guildId);
  return {
    link: user ? { state: user.linkState, online: user.online, inParty: user.inParty } : null,
    announcedHere: announced.includes(guildId),
    cardHere: here
      ? { party: here.party, channelId: here.row.channelId, messageId: here.row.messageId! }
      : null,
    partyElsewhere: elsewhere?.party ?? null,
    settings: guildSettingsOf(guild),
  };
}

/** Who of the party is announced here: only they appear as mentions, as on the card itself. */
async function announcedHere(db: Store, guildId: string, party: Party): Promise<Set<string>> {
  const ids = party.members.flatMap((m) => (m.discordUserId ? [m.discordUserId] : []));
  const guilds = await announcingGuildsOf(db, ids);
  return new Set(ids.filter((id) => guilds.get(id)?.includes(guildId)));
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) throw new UserError("Use this command in a server.");
  const guildId = interaction.guildId;
  const target = interaction.options.getUser("member") ?? interaction.user;
  const self = target.id === interaction.user.id;
  const status = partyStatus(await factsOf(ctx.db, guildId, target.id));
  if (status.kind !== "card") {
    await interaction.reply({
      content: partyStatusText(status, { self, mention: `<@${target.id}>` }),
      allowedMentions: { parse: [] },
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const card = renderPartyCard(status.party, {
    announced: await announcedHere(ctx.db, guildId, status.party),
    mentionRoleId: null,
    firstPost: false,
  });
  await interaction.reply({
    content: `In the party channel: ${messageUrl(guildId, status.channelId, status.messageId)}`,
    embeds: card.embeds,
    components: card.components,
    allowedMentions: { parse: [] },
    flags: MessageFlags.Ephemeral,
  });
}
