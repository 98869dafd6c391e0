/**
 * HTML built with a tagged template that escapes every interpolated value unless it is
 * already `Html`. Names, games and party titles come from PSN (and Discord): nothing
 * reaches the page unescaped by accident.
 */
import { escapeHtml } from "../../src/web/html.js";

/** The bot's own escaping (safe in text and in quoted attribute values). */
export { escapeHtml };

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | bigint | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** Markup the sandbox wrote itself (never data). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
