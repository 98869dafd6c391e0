/**
 * Discord's timestamp markup, `<t:unix:style>`: every reader sees the time in their
 * own time zone and language, and relative styles keep counting without an edit.
 */
export type TimestampStyle = "t" | "T" | "d" | "D" | "f" | "F" | "R";

export function discordTimestamp(date: Date, style: TimestampStyle): string {
  return `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;
}
