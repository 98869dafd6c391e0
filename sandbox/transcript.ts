/**
 * Messages as readable text, for the scene's transcript: a card's title, description,
 * fields, footer and buttons, with "(edited)" and disabled buttons marked.
 */
import { buttonRowsOf, embedsOf, type Names, parseMarkdown, plainText } from "./discordJson.js";

export interface MessageLike {
  content: string;
  embeds: readonly unknown[];
  components: readonly unknown[];
  editedTimestamp: string | null;
}

const md = (text: string, names: Names) => plainText(parseMarkdown(text, names));

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

export function messageText(message: MessageLike, names: Names): string {
  const lines: string[] = [];
  if (message.content) lines.push(md(message.content, names));
  for (const embed of embedsOf(message.embeds)) {
    const out: string[] = [];
    if (embed.author) out.push(md(embed.author.name, names));
    if (embed.title) out.push(`# ${md(embed.title, names)}${embed.url ? ` <${embed.url}>` : ""}`);
    if (embed.description) out.push(md(embed.description, names));
    for (const field of embed.fields ?? []) {
      const value = md(field.value, names);
      out.push(value.includes("\n") ? `${field.name}:\n${indent(value, "  ")}` : `${field.name}: ${value}`);
    }
    if (embed.image) out.push(`[image ${embed.image.url}]`);
    if (embed.footer) out.push(`— ${md(embed.footer.text, names)}`);
    lines.push(indent(out.join("\n"), "│ "));
  }
  for (const row of buttonRowsOf(message.components)) {
    lines.push(
      row
        .map((b) => {
          const label = `${b.emoji?.name ? `${b.emoji.name} ` : ""}${b.label ?? ""}`.trim();
          return `[${label}${b.url ? " ↗" : ""}${b.disabled ? " (disabled)" : ""}]`;
        })
        .join(" "),
    );
  }
  if (message.editedTimestamp) lines.push("(edited)");
  return lines.join("\n");
}
