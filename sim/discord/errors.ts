import type { FormErrors } from "./limits.js";

/** A Discord API refusal: the status and JSON `{ code, message, errors? }` body Discord would send. */
export class DiscordApiError extends Error {
  readonly kind = "discord-api";
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Discord's nested field errors (50035 only). */
    readonly errors?: FormErrors,
  ) {
    super(message);
    this.name = "DiscordApiError";
  }

  /** The JSON body Discord sends with this refusal. */
  body(): { code: number; message: string; errors?: FormErrors } {
    return { code: this.code, message: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }

  /** The same refusal with its field errors nested under `key` (interaction callbacks nest under `data`). */
  nestedUnder(key: string): DiscordApiError {
    return this.errors
      ? new DiscordApiError(this.status, this.code, this.message, { [key]: this.errors })
      : this;
  }
}

/** Discord's 50035 for a body that breaks a rule; a plain reason becomes a top-level `_errors` entry. */
function invalidForm(errors: FormErrors | string): DiscordApiError {
  const tree: FormErrors =
    typeof errors === "string" ? { _errors: [{ code: "BASE_TYPE_INVALID", message: errors }] } : errors;
  return new DiscordApiError(400, 50035, "Invalid Form Body", tree);
}

/** Real Discord JSON error codes and texts, so the bot's error mapping is exercised as in production. */
export const ApiErrors = {
  unauthorized: () => new DiscordApiError(401, 0, "401: Unauthorized"),
  notFound: () => new DiscordApiError(404, 0, "404: Not Found"),
  unknownChannel: () => new DiscordApiError(404, 10003, "Unknown Channel"),
  unknownGuild: () => new DiscordApiError(404, 10004, "Unknown Guild"),
  unknownMember: () => new DiscordApiError(404, 10007, "Unknown Member"),
  unknownMessage: () => new DiscordApiError(404, 10008, "Unknown Message"),
  unknownRole: () => new DiscordApiError(404, 10011, "Unknown Role"),
  unknownUser: () => new DiscordApiError(404, 10013, "Unknown User"),
  unknownWebhook: () => new DiscordApiError(404, 10015, "Unknown Webhook"),
  unknownInteraction: () => new DiscordApiError(404, 10062, "Unknown interaction"),
  unknownCommand: () => new DiscordApiError(404, 10063, "Unknown application command"),
  /** Discord's answer to an edit of a message older than an hour once its edits ran out; a delete still works. */
  tooManyEdits: () =>
    new DiscordApiError(
      400,
      30046,
      "Maximum number of edits to messages older than 1 hour reached. Try again later",
    ),
  tooManyCommands: () =>
    new DiscordApiError(400, 30032, "Maximum number of application commands reached (100)"),
  missingAccess: () => new DiscordApiError(403, 50001, "Missing Access"),
  cannotEditOthers: () => new DiscordApiError(403, 50005, "Cannot edit a message authored by another user"),
  emptyMessage: () => new DiscordApiError(400, 50006, "Cannot send an empty message"),
  cannotDm: () => new DiscordApiError(403, 50007, "Cannot send messages to this user"),
  missingPermissions: () => new DiscordApiError(403, 50013, "Missing Permissions"),
  invalidForm,
  invalidWebhookToken: () => new DiscordApiError(401, 50027, "Invalid Webhook Token"),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, "Interaction has already been acknowledged."),
} as const;
