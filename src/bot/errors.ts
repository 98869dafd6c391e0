/**
 * An expected refusal ("you need the Manage Server permission", "you are not
 * linked"): the router shows its message as-is, ephemerally, and does not log it
 * as a failure.
 */
export class UserError extends Error {
  readonly kind = "user";
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** What the router answers when a handler fails for a reason the user cannot fix. */
export const GENERIC_FAILURE = "Something went wrong on our side. Please try again in a moment.";

/**
 * Turns the errors discord.js raises while logging in into one line an operator can
 * act on. Never quotes the token; returns null for errors it does not recognise.
 */
export function explainStartupError(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const { code, status } = err as { code?: unknown; status?: unknown };
  if (code === "TokenInvalid" || status === 401 || /invalid token/i.test(err.message)) {
    return "Discord rejected the bot token. Check DISCORD_TOKEN: copy it again from the Discord developer portal (Bot → Reset Token).";
  }
  // @discordjs/ws raises a plain "Used disallowed intents" on close code 4014.
  if (code === "DisallowedIntents" || /disallowed intents/i.test(err.message)) {
    return "Discord refused the gateway intents the bot asked for. Turn on Server Members Intent under the bot's Privileged Gateway Intents in the Discord developer portal.";
  }
  const cause = (err as { cause?: unknown }).cause;
  const causeCode =
    typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (
    code === "ECONNREFUSED" ||
    causeCode === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    causeCode === "ENOTFOUND"
  ) {
    return "Could not reach the Discord API. Check the network and DISCORD_API_BASE_URL.";
  }
  return null;
}
