import { DiscordSnowflake } from "@sapphire/snowflake";

/** A real Discord snowflake (17–19 digits), so code that validates ids sees the same shape as production. */
export function newSnowflake(timestamp?: number): string {
  return DiscordSnowflake.generate(timestamp === undefined ? {} : { timestamp }).toString();
}

/** An opaque interaction token; Discord's are long random strings, never snowflakes. */
export function newInteractionToken(): string {
  const bytes = new Uint8Array(48);
  crypto.getRandomValues(bytes);
  return `aW50ZXJhY3Rpb24${Buffer.from(bytes).toString("base64url")}`;
}
