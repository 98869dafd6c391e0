/**
 * The parts of Discord's message JSON the sandbox draws (embeds and buttons), read
 * through zod: the simulator stores whatever the bot sent, so nothing is assumed.
 * Unknown or malformed parts are left out rather than trusted.
 */
import { z } from "zod";

const text = z.string();

export const embedSchema = z.object({
  title: text.optional(),
  url: text.optional(),
  description: text.optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  timestamp: text.optional(),
  author: z.object({ name: text, url: text.optional(), icon_url: text.optional() }).optional(),
  fields: z.array(z.object({ name: text, value: text, inline: z.boolean().optional() })).optional(),
  thumbnail: z.object({ url: text }).optional(),
  image: z.object({ url: text }).optional(),
  footer: z.object({ text, icon_url: text.optional() }).optional(),
});
export type Embed = z.infer<typeof embedSchema>;

export const buttonSchema = z.object({
  type: z.literal(2),
  style: z.number().int(),
  label: text.optional(),
  emoji: z.object({ name: text.optional() }).optional(),
  custom_id: text.optional(),
  url: text.optional(),
  disabled: z.boolean().optional(),
});
export type Button = z.infer<typeof buttonSchema>;

const rowSchema = z.object({ type: z.literal(1), components: z.array(z.unknown()) });

export function embedsOf(raw: readonly unknown[]): Embed[] {
  return raw.flatMap((e) => {
    const parsed = embedSchema.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Button rows; other component kinds (select menus) are not drawn. */
export function buttonRowsOf(raw: readonly unknown[]): Button[][] {
  return raw.flatMap((r) => {
    const row = rowSchema.safeParse(r);
    if (!row.success) return [];
    const buttons = row.data.components.flatMap((c) => {
      const b = buttonSchema.safeParse(c);
      return b.success ? [b.data] : [];
    });
    return buttons.length > 0 ? [buttons] : [];
  });
}

/** Only http(s) links become links: a card's URLs come from PSN. */
export function safeUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** What mentions and channel links resolve to in the demo server. */
export interface Names {
  user(id: string): string | undefined;
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
  /** The sandbox clock, for relative timestamps. */
  now: number;
}

/** Discord's <t:…:style> as text: relative ("3 min ago") or a UTC date-time. */
export function formatTimestamp(unixSeconds: number, style: string | undefined, now: number): string {
  const ms = unixSeconds * 1000;
  if (style === "R") {
    const diff = Math.round((now - ms) / 1000);
    const abs = Math.abs(diff);
    const unit =
      abs < 60
        ? `${abs} s`
        : abs < 3600
          ? `${Math.floor(abs / 60)} min`
          : abs < 86_400
            ? `${Math.floor(abs / 3600)} h`
            : `${Math.floor(abs / 86_400)} d`;
    // Coarse like Discord's, so the page does not redraw every second.
    if (abs < 45) return diff >= 0 ? "a few seconds ago" : "in a few seconds";
    return diff >= 0 ? `${unit} ago` : `in ${unit}`;
  }
  const iso = new Date(ms).toISOString();
  if (style === "t") return iso.slice(11, 16);
  if (style === "T") return iso.slice(11, 19);
  if (style === "d" || style === "D") return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The Discord markdown the bot writes, as tokens, so each renderer escapes plain text its own way. */
export type Token =
  | { kind: "text"; text: string }
  | { kind: "strong" | "em" | "u" | "s"; children: Token[] }
  | { kind: "code"; text: string }
  | { kind: "link"; url: string; children: Token[] }
  | { kind: "mention"; text: string }
  | { kind: "time"; text: string }
  | { kind: "br" };

const MARKDOWN =
  /\\([^\p{L}\p{N}\s])|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|\*([^*\n]+?)\*|(?<![\p{L}\p{N}])_([^_\n]+?)_(?![\p{L}\p{N}])|~~([\s\S]+?)~~|`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)|<(@!?|@&|#)(\d{15,21})>|<t:(-?\d{1,13})(?::([tTdDfFR]))?>|\n/gu;

export function parseMarkdown(source: string, names: Names): Token[] {
  const out: Token[] = [];
  let last = 0;
  const pushText = (t: string) => {
    if (t === "") return;
    const prev = out[out.length - 1];
    if (prev?.kind === "text") prev.text += t;
    else out.push({ kind: "text", text: t });
  };
  for (const m of source.matchAll(MARKDOWN)) {
    pushText(source.slice(last, m.index));
    last = m.index + m[0].length;
    const [whole, escaped, strong, under, em1, em2, strike, code, linkText, linkUrl, sigil, id, unix, style] =
      m;
    if (escaped !== undefined) pushText(escaped);
    else if (strong !== undefined) out.push({ kind: "strong", children: parseMarkdown(strong, names) });
    else if (under !== undefined) out.push({ kind: "u", children: parseMarkdown(under, names) });
    else if (em1 !== undefined || em2 !== undefined)
      out.push({ kind: "em", children: parseMarkdown((em1 ?? em2)!, names) });
    else if (strike !== undefined) out.push({ kind: "s", children: parseMarkdown(strike, names) });
    else if (code !== undefined) out.push({ kind: "code", text: code });
    else if (linkText !== undefined && linkUrl !== undefined) {
      const url = safeUrl(linkUrl);
      if (url) out.push({ kind: "link", url, children: parseMarkdown(linkText, names) });
      else pushText(whole);
    } else if (sigil !== undefined && id !== undefined) {
      const text =
        sigil === "#"
          ? `#${names.channel(id) ?? "unknown-channel"}`
          : sigil === "@&"
            ? `@${names.role(id) ?? "unknown-role"}`
            : `@${names.user(id) ?? "unknown-user"}`;
      out.push({ kind: "mention", text });
    } else if (unix !== undefined) {
      out.push({ kind: "time", text: formatTimestamp(Number(unix), style, names.now) });
    } else out.push({ kind: "br" });
  }
  pushText(source.slice(last));
  return out;
}

/** Tokens as plain text (the scene's transcript): formatting dropped, mentions and times resolved. */
export function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      switch (t.kind) {
        case "text":
        case "code":
        case "mention":
        case "time":
          return t.text;
        case "br":
          return "\n";
        case "link":
          return `${plainText(t.children)} <${t.url}>`;
        default:
          return plainText(t.children);
      }
    })
    .join("");
}
