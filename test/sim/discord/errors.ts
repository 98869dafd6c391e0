/** A Discord API refusal: the status and JSON `{ code, message }` body Discord would send. */
export class DiscordApiError extends Error {
  readonly kind = "discord-api";
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "DiscordApiError";
  }
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
  tooManyCommands: () =>
    new DiscordApiError(400, 30032, "Maximum number of application commands reached (100)"),
  missingAccess: () => new DiscordApiError(403, 50001, "Missing Access"),
  cannotEditOthers: () => new DiscordApiError(403, 50005, "Cannot edit a message authored by another user"),
  emptyMessage: () => new DiscordApiError(400, 50006, "Cannot send an empty message"),
  cannotDm: () => new DiscordApiError(403, 50007, "Cannot send messages to this user"),
  missingPermissions: () => new DiscordApiError(403, 50013, "Missing Permissions"),
  invalidForm: (what: string) => new DiscordApiError(400, 50035, `Invalid Form Body: ${what}`),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, "Interaction has already been acknowledged."),
} as const;
