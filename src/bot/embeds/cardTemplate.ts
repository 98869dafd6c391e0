/**
 * The text a server posts above a new card (`/config template`): the admin's words with
 * placeholders filled from the party. Pure. Checked when it is set, against the longest
 * text each placeholder can become, so a card never fails for a long name; cut to
 * Discord's content limit when posted all the same.
 *
 * Pings are not decided here: the card's allowed_mentions let through the configured
 * role only, so `@everyone` or a user mention typed in a template reads as text.
 */
import type { Party } from "../../domain/party.js";
import { codePointLength, EMBED_LIMITS, fitPsnText, PSN_NAME_MAX, psnName, truncate } from "./limits.js";

export const PLACEHOLDERS = ["host", "game", "members", "slots", "party", "role"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** Discord's limit on a message's content. */
export const CONTENT_LIMIT = 2000;

/** What each placeholder means, for the error that names unknown ones and for /help-like texts. */
export const PLACEHOLDER_TEXT: Record<Placeholder, string> = {
  host: "the host's PSN name",
  game: "the host's game",
  members: "the members' PSN names",
  slots: "members and free places, e.g. 3/16",
  party: "the card's title",
  role: "the role set with /config role",
};

/** The longest each placeholder can become (code points). */
export const PLACEHOLDER_MAX: Record<Placeholder, number> = {
  host: PSN_NAME_MAX,
  game: 256,
  members: 500,
  slots: 16,
  party: EMBED_LIMITS.title,
  // <@&snowflake>: a snowflake has at most 20 digits.
  role: 24,
};

/** `{name}` where name looks like a placeholder; anything else in braces is plain text. */
const TOKEN = /\{([A-Za-z0-9_-]{1,32})\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

export type TemplateCheck = { ok: true; template: string } | { ok: false; problem: string };

/** The text at its longest: every placeholder at its maximum length. */
export function longestExpansion(template: string): number {
  let length = codePointLength(template);
  for (const match of template.matchAll(TOKEN)) {
    const name = match[1] as string;
    if (isPlaceholder(name)) length += PLACEHOLDER_MAX[name] - codePointLength(match[0]);
  }
  return length;
}

/** A template an admin typed, accepted (trimmed) or refused with what to change. */
export function checkTemplate(raw: string): TemplateCheck {
  const template = raw.trim();
  if (template === "")
    return { ok: false, problem: "The text is empty. Type the text to post with new cards." };
  const unknown = [
    ...new Set([...template.matchAll(TOKEN)].map((m) => m[1] as string).filter((n) => !isPlaceholder(n))),
  ];
  if (unknown.length > 0) {
    const names = unknown.map((n) => `\`{${n}}\``).join(", ");
    const known = PLACEHOLDERS.map((p) => `\`{${p}}\``).join(", ");
    return {
      ok: false,
      problem: `Unknown placeholder${unknown.length > 1 ? "s" : ""} ${names}. The text can use ${known}.`,
    };
  }
  const longest = longestExpansion(template);
  if (longest > CONTENT_LIMIT) {
    return {
      ok: false,
      problem: `With the longest names and games this text could reach ${longest} characters, and Discord allows ${CONTENT_LIMIT}. Shorten it by ${longest - CONTENT_LIMIT} characters.`,
    };
  }
  return { ok: true, template };
}

/** The members' names, "a, b and 3 more" once past the placeholder's room. */
function memberNames(party: Party): string {
  const names = party.members.map((m) => psnName(m.onlineId));
  let out = "";
  for (let i = 0; i < names.length; i++) {
    const next = out === "" ? names[i]! : `${out}, ${names[i]}`;
    const rest = names.length - i - 1;
    const suffix = rest > 0 ? ` and ${rest} more` : "";
    if (codePointLength(`${next}${suffix}`) > PLACEHOLDER_MAX.members) {
      const more = `${names.length - i} more`;
      return out === "" ? more : `${out} and ${more}`;
    }
    out = next;
  }
  return out;
}

/** `title` is the card's title (partyCard.ts's partyTitle, passed in to keep the two modules apart). */
export function templateValues(party: Party, title: string, mentionRoleId: string | null): TemplateValues {
  const count = party.members.length;
  return {
    host: psnName(party.host.onlineId),
    game: party.game ? fitPsnText(party.game.name, PLACEHOLDER_MAX.game) : "",
    members: memberNames(party),
    slots: truncate(
      party.maxMembers !== null ? `${count}/${party.maxMembers}` : `${count}`,
      PLACEHOLDER_MAX.slots,
    ),
    party: truncate(title, PLACEHOLDER_MAX.party),
    role: mentionRoleId !== null ? `<@&${mentionRoleId}>` : "",
  };
}

/**
 * The template with its placeholders filled, in one pass (a name containing `{host}`
 * stays as it is), within Discord's content limit.
 */
export function expandTemplate(template: string, values: TemplateValues): string {
  const text = template.replace(TOKEN, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole));
  return truncate(text.trim(), CONTENT_LIMIT);
}
