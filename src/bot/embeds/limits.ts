/**
 * Discord's limits, enforced in one place, and the cleaning of text that comes from
 * PSN (names people choose) before it reaches a card. Pure.
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * Discord counts lengths in code points, so everything here does too, and a cut never
 * falls inside a surrogate pair.
 */
import { type APIEmbed, escapeMarkdown } from "discord.js";

export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Title, description, field names and values, footer and author of every embed of a message. */
  total: 6000,
} as const;

export const ELLIPSIS = "…";

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** At most `max` code points, the last one an ellipsis when something was cut. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return "";
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join("")}${ELLIPSIS}`;
}

/**
 * Invisible characters that let a name pass for another one (zero-width joiners and
 * spaces, bidirectional overrides, the word joiner, the byte order mark, soft hyphen,
 * Mongolian vowel separator). Emoji sequences lose their joiners; a name stays readable.
 */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;

/**
 * A PSN-provided string made inert for Discord: invisible characters removed, Markdown
 * escaped (headings and lists too, as a member list starts each line with a name), and
 * mentions escaped so `@everyone` or `<@&role>` read as text. allowed_mentions already
 * stops pings; this also stops a name from looking like a mention or a link.
 */
export function escapePsnText(raw: string): string {
  const visible = raw.replace(INVISIBLE, "");
  const markdown = escapeMarkdown(visible, {
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: true,
  });
  return markdown.replace(/@(everyone|here)/g, "\\@$1").replace(/<(?=[@#:/]|a:|t:)/g, "\\<");
}

/**
 * `escapePsnText` within `max` code points: the raw text is cut before escaping, so a cut
 * never leaves half an escape (a lone backslash would swallow the ellipsis).
 */
export function fitPsnText(raw: string, max: number): string {
  const points = Array.from(raw.replace(INVISIBLE, ""));
  // Escaping never shortens, so only the first `max` characters can matter (and
  // escapeMarkdown's regexes are slow on long input: PSN could send any length).
  if (points.length <= max) {
    const escaped = escapePsnText(points.join(""));
    if (codePointLength(escaped) <= max) return escaped;
  }
  let keep = Math.min(points.length, max - 1);
  for (;;) {
    const candidate = `${escapePsnText(points.slice(0, keep).join(""))}${ELLIPSIS}`;
    const over = codePointLength(candidate) - max;
    if (over <= 0) return candidate;
    if (keep === 0) return ELLIPSIS;
    // A raw character escapes to one or two: dropping half the excess never cuts more than needed.
    keep = Math.max(0, keep - Math.max(1, Math.ceil(over / 2)));
  }
}

/**
 * Room for a PSN online ID. Real ones are 3-16 characters, but PSN's answers are not ours
 * to trust: a 1000-character name must not push everything else off a card or a reply.
 */
export const PSN_NAME_MAX = 64;

/** A PSN online ID ready for any Discord text: escaped, and cut to `PSN_NAME_MAX`. */
export function psnName(onlineId: string): string {
  return fitPsnText(onlineId, PSN_NAME_MAX);
}

/** What an embed counts towards Discord's 6000 total. */
export function embedLength(embed: APIEmbed): number {
  let n = codePointLength(embed.title ?? "") + codePointLength(embed.description ?? "");
  n += codePointLength(embed.footer?.text ?? "") + codePointLength(embed.author?.name ?? "");
  for (const f of embed.fields ?? []) n += codePointLength(f.name) + codePointLength(f.value);
  return n;
}

/**
 * The embed within every limit of its own and of the 6000 total, given `othersLength`
 * characters in the message's other embeds: each text cut with an ellipsis, at most 25
 * fields; past the total, the description shrinks first, then fields go from the end.
 */
export function fitEmbed(embed: APIEmbed, othersLength = 0): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, EMBED_LIMITS.title);
  if (out.description !== undefined) out.description = truncate(out.description, EMBED_LIMITS.description);
  if (out.footer) out.footer = { ...out.footer, text: truncate(out.footer.text, EMBED_LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: truncate(out.author.name, EMBED_LIMITS.author) };
  if (out.fields) {
    out.fields = out.fields.slice(0, EMBED_LIMITS.fields).map((f) => ({
      ...f,
      name: truncate(f.name, EMBED_LIMITS.fieldName),
      value: truncate(f.value, EMBED_LIMITS.fieldValue),
    }));
  }
  const budget = EMBED_LIMITS.total - othersLength;
  let over = embedLength(out) - budget;
  if (over > 0 && out.description) {
    const length = codePointLength(out.description);
    out.description = truncate(out.description, Math.max(1, length - over));
    over = embedLength(out) - budget;
  }
  while (over > 0 && out.fields && out.fields.length > 0) {
    out.fields = out.fields.slice(0, -1);
    over = embedLength(out) - budget;
  }
  if (over > 0 && out.title) out.title = truncate(out.title, Math.max(1, codePointLength(out.title) - over));
  return out;
}

/**
 * Every embed of one message fitted (at most 10), the earlier ones taking their share of
 * the total first; an embed left without room is dropped.
 */
export function fitEmbeds(embeds: readonly APIEmbed[]): APIEmbed[] {
  const out: APIEmbed[] = [];
  let used = 0;
  for (const embed of embeds.slice(0, 10)) {
    const fitted = fitEmbed(embed, used);
    if (used + embedLength(fitted) > EMBED_LIMITS.total) break;
    used += embedLength(fitted);
    out.push(fitted);
  }
  return out;
}
