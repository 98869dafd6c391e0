/**
 * The party card: plain Discord API JSON plus a hash of what it shows, so the card writer
 * edits a message only when something visible changed. Pure: dates come in with the party
 * and the view, and relative times use Discord's <t:…:R> syntax so the text itself does
 * not change from tick to tick.
 */
import { createHash } from "node:crypto";
import {
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import type { Party, PartyMember, UnseenReason } from "../../domain/party.js";
import { discordTimestamp } from "../../domain/timestamps.js";
import type { Joinability } from "../../psn/types.js";
import { customId } from "../handlers.js";
import { expandTemplate, templateValues } from "./cardTemplate.js";
import { EMBED_LIMITS, fitEmbed, fitPsnText, psnName } from "./limits.js";

export interface CardView {
  /** Discord users announced in this server: only they appear as mentions. */
  announced: ReadonlySet<string>;
  mentionRoleId: string | null;
  /** The role is mentioned on the first post only; edits never ping. */
  firstPost: boolean;
  /** The server's `/config template`, posted above a new card instead of the bare role mention. */
  template?: string | null;
  ended?: { at: Date };
}

export interface RenderedCard {
  /** The role mention on a first post; null means "no content" (and "leave as is" on an edit). */
  content: string | null;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowedMentions: APIAllowedMentions;
  /** sha256 of everything shown except the first-post role mention. */
  hash: string;
}

/** The custom_id family of the "Request invite" button (src/bot/components/invite.ts). */
export const INVITE_PREFIX = "invite";

export const CARD_COLOURS = {
  open: 0x57f287,
  request: 0xf0b232,
  invite: 0x5865f2,
  ended: 0x80848e,
  unseen: 0x4e5058,
} as const satisfies Record<Joinability | "ended" | "unseen", number>;

const JOINABILITY_LABEL: Record<Joinability, string> = {
  open: "Open to friends",
  request: "Request to join",
  invite: "Invite only",
};

const PLATFORM_LABEL: Record<string, string> = {
  PS5: "PS5",
  PS4: "PS4",
  PS3: "PS3",
  PSVITA: "PS Vita",
  MOBILE_APP: "PS App",
  PSPC: "PC",
  PC: "PC",
};

/** Room for PSN-provided texts (names are cut by psnName). */
const GAME_NAME_MAX = 256;
const GAME_STATUS_MAX = 256;
const PLATFORM_MAX = 64;

export function platformLabel(platform: string): string {
  return PLATFORM_LABEL[platform.toUpperCase()] ?? platform;
}

/** "45 s", "12 min", "1 h 12 min", "2 d 3 h": whole units, rounded down. */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min`;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) {
    const minutes = totalMinutes % 60;
    return minutes > 0 ? `${totalHours} h ${minutes} min` : `${totalHours} h`;
  }
  const days = Math.floor(totalHours / 24);
  const hours = totalHours % 24;
  return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
}

function memberLabel(m: PartyMember, announced: ReadonlySet<string>): string {
  return m.discordUserId !== null && announced.has(m.discordUserId)
    ? `<@${m.discordUserId}>`
    : psnName(m.onlineId);
}

/** One member a line, the host first and marked; cut with "and N more" at Discord's field limit. */
function memberList(party: Party, announced: ReadonlySet<string>): string {
  const lines = party.members.map((m, i) => {
    const label = memberLabel(m, announced);
    return i === 0 && m.accountId === party.host.accountId ? `${label} (host)` : label;
  });
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i - 1;
    const next = out === "" ? lines[i]! : `${out}\n${lines[i]}`;
    const suffix = rest > 0 ? `\n…and ${rest} more` : "";
    if (`${next}${suffix}`.length > EMBED_LIMITS.fieldValue) {
      const more = `…and ${lines.length - i} more`;
      return out === "" ? more : `${out}\n${more}`;
    }
    out = next;
  }
  return out === "" ? "—" : out;
}

/** The party's name, or "<host>'s party"; escaped, so it reads the same in a card title or a DM. */
export function partyTitle(party: Pick<Party, "name" | "host">): string {
  const name = party.name?.trim();
  if (name) return fitPsnText(name, EMBED_LIMITS.title);
  return `${psnName(party.host.onlineId)}'s party`;
}

/** Why the card can no longer be trusted, naming who can fix it. */
function unseenLine(reason: UnseenReason, party: Party, announced: ReadonlySet<string>): string {
  switch (reason) {
    case "relinkNeeded": {
      const who = party.members.filter((m) => m.discordUserId !== null).map((m) => memberLabel(m, announced));
      return (
        `⚠️ The bot can't see this party any more: ${who.join(", ")} must sign in to PlayStation again (\`/link\`). ` +
        "Requests are off until then; the card ends by itself if nobody sees the party again."
      );
    }
  }
}

function slots(party: Party): string {
  const count = party.members.length;
  return party.maxMembers !== null ? `${count}/${party.maxMembers}` : `${count}`;
}

function buttons(
  sessionId: string,
  shareUrl: string | null,
  disabled: boolean,
  noRequests = false,
): APIActionRowComponent<APIButtonComponent>[] {
  const row: APIButtonComponent[] = [];
  if (shareUrl !== null) {
    row.push({
      type: ComponentType.Button,
      style: ButtonStyle.Link,
      label: "Join on PlayStation",
      url: shareUrl,
      disabled,
    });
  }
  row.push({
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: "Request invite",
    custom_id: customId(INVITE_PREFIX, sessionId),
    disabled: disabled || noRequests,
  });
  return [{ type: ComponentType.ActionRow, components: row }];
}

function footer(sessionId: string): { text: string } {
  return { text: `Party ${sessionId.slice(0, 8)}` };
}

function hashOf(embeds: APIEmbed[], components: APIActionRowComponent<APIButtonComponent>[]): string {
  // Every object here is built in a fixed key order, so JSON.stringify is a stable encoding.
  return createHash("sha256").update(JSON.stringify({ embeds, components })).digest("hex");
}

/** What a first post says above the card: the server's template, or the role mention. */
function firstPostContent(
  party: Party | null,
  view: Pick<CardView, "mentionRoleId" | "template">,
): string | null {
  const template = view.template ?? null;
  if (template === null || party === null)
    return view.mentionRoleId !== null ? `<@&${view.mentionRoleId}>` : null;
  const text = expandTemplate(template, templateValues(party, partyTitle(party), view.mentionRoleId));
  return text === "" ? null : text;
}

function finish(
  embed: APIEmbed,
  components: APIActionRowComponent<APIButtonComponent>[],
  view: Pick<CardView, "mentionRoleId" | "firstPost" | "ended" | "template">,
  party: Party | null,
): RenderedCard {
  const first = view.firstPost && !view.ended;
  const mentionRole = first && view.mentionRoleId !== null ? view.mentionRoleId : null;
  const embeds = [embed];
  return {
    content: first ? firstPostContent(party, view) : null,
    embeds,
    components,
    // Member mentions are there to be clicked, never to ping; a template's @everyone or
    // user mention neither: only the configured role may ping.
    allowedMentions: { parse: [], roles: mentionRole !== null ? [mentionRole] : [], users: [] },
    hash: hashOf(embeds, components),
  };
}

export function renderPartyCard(party: Party, view: CardView): RenderedCard {
  const started = party.startedAt ?? party.firstSeenAt;
  const lines: string[] = [];
  if (party.game !== null) {
    const status = party.game.status?.trim();
    const game = fitPsnText(party.game.name, GAME_NAME_MAX);
    lines.push(`🎮 **${game}**${status ? ` · ${fitPsnText(status, GAME_STATUS_MAX)}` : ""}`);
  }
  lines.push(`Started ${discordTimestamp(started, "R")}`);
  if (view.ended) {
    lines.push(`Ended · lasted ${formatDuration(view.ended.at.getTime() - started.getTime())}`);
  }
  // Once ended, the card says only that: who could not be read no longer matters.
  const unseen = view.ended ? null : party.unseenReason;
  if (unseen !== null) lines.push(unseenLine(unseen, party, view.announced));

  const fields: APIEmbedField[] = [
    { name: `Members (${slots(party)})`, value: memberList(party, view.announced), inline: false },
    { name: "Access", value: JOINABILITY_LABEL[party.joinability], inline: true },
  ];
  if (party.platform !== null) {
    fields.push({
      name: "Platform",
      value: fitPsnText(platformLabel(party.platform), PLATFORM_MAX),
      inline: true,
    });
  }
  if (party.joinableFrom !== null && party.joinableFrom.length > 0) {
    fields.push({
      name: "Joinable from",
      value: fitPsnText(party.joinableFrom.map(platformLabel).join(", "), EMBED_LIMITS.fieldValue),
      inline: true,
    });
  }

  const embed: APIEmbed = {
    title: partyTitle(party),
    description: lines.join("\n"),
    color: view.ended
      ? CARD_COLOURS.ended
      : unseen !== null
        ? CARD_COLOURS.unseen
        : CARD_COLOURS[party.joinability],
    fields,
    footer: footer(party.sessionId),
  };
  if (party.shareUrl !== null && !view.ended) embed.url = party.shareUrl;
  if (party.game?.iconUrl) embed.thumbnail = { url: party.game.iconUrl };
  if (party.imageUrl !== null) embed.image = { url: party.imageUrl };

  // Unseen: nobody could serve an invite, so the button is disabled (not removed: its
  // custom_id still names the party; the Join link stays, PSN itself answers it).
  return finish(
    fitEmbed(embed),
    buttons(party.sessionId, party.shareUrl, view.ended !== undefined, unseen !== null),
    view,
    party,
  );
}

/**
 * The ended card of a party the bot no longer knows anything about (its card survived a
 * restart, and no member saw the party again): the message must still turn grey.
 */
export function renderUnknownEndedCard(sessionId: string, at: Date): RenderedCard {
  const embed: APIEmbed = {
    title: "Party ended",
    description: `Ended ${discordTimestamp(at, "R")}`,
    color: CARD_COLOURS.ended,
    footer: footer(sessionId),
  };
  return finish(
    embed,
    buttons(sessionId, null, true),
    { mentionRoleId: null, firstPost: false, ended: { at } },
    null,
  );
}
