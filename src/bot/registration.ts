import { createHash } from "node:crypto";
import { type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody, Routes } from "discord.js";
import { getMeta, setMeta } from "../db/meta.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../log.js";
import { definitionJson, type SlashCommand } from "./handlers.js";

export const COMMANDS_HASH_KEY = "commands_hash";
/** The server the commands were last registered in ("" for globally), to clear it on a switch. */
export const COMMANDS_GUILD_KEY = "commands_guild";

export type CommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

export function commandDefinitions(commands: readonly SlashCommand[]): CommandJson[] {
  return commands.map((c) => definitionJson(c.definition));
}

/** JSON with object keys sorted, so equal definitions always print the same. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  });
}

/**
 * Hash of what Discord would be told. Commands are sorted by name because a bulk
 * overwrite does not care about their order; options keep theirs because it shows.
 */
export function hashDefinitions(
  definitions: readonly CommandJson[],
  applicationId: string,
  guildId?: string | null,
): string {
  const sorted = [...definitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A global registration hashes as it always did, so an upgrade does not register again.
  return createHash("sha256")
    .update(stableStringify({ applicationId, commands: sorted, guildId: guildId ?? undefined }))
    .digest("hex");
}

/** Bulk overwrite: globally, or in one server (which applies at once, for testing a change). */
export async function putCommands(
  rest: REST,
  applicationId: string,
  definitions: readonly CommandJson[],
  guildId?: string,
): Promise<void> {
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: definitions });
}

export interface SyncOptions {
  db: Store;
  rest: REST;
  log: Logger;
  applicationId: string;
  definitions: readonly CommandJson[];
  /** DISCORD_DEV_GUILD_ID: register in this server only. */
  guildId?: string | null;
}

/**
 * Registers the commands unless the same definitions went to the same place last
 * time: global registration is rate limited and takes a while to spread, so a
 * restart should not repeat it for nothing.
 *
 * With a development server the commands go there only, and the global set is
 * emptied: Discord lists a server's commands beside the global ones, so keeping both
 * would show every command twice there. Switching back (or to another server) clears
 * the server registered before, for the same reason.
 */
export async function syncCommands(options: SyncOptions): Promise<"registered" | "unchanged"> {
  const { db, rest, log, applicationId, definitions } = options;
  const guildId = options.guildId ?? null;
  const hash = hashDefinitions(definitions, applicationId, guildId);
  if ((await getMeta(db, COMMANDS_HASH_KEY)) === hash) {
    log.debug({ hash }, "slash commands unchanged, not registering");
    return "unchanged";
  }
  const previousGuild = (await getMeta(db, COMMANDS_GUILD_KEY)) || null;
  await putCommands(rest, applicationId, definitions, guildId ?? undefined);
  if (guildId) await putCommands(rest, applicationId, []);
  if (previousGuild && previousGuild !== guildId) {
    // The bot may have left that server since; its commands then went with it.
    await putCommands(rest, applicationId, [], previousGuild).catch((err: unknown) =>
      log.warn({ err, guildId: previousGuild }, "could not clear the slash commands of the previous server"),
    );
  }
  // The place first: a crash between the two writes costs one more registration, never a stale place.
  await setMeta(db, COMMANDS_GUILD_KEY, guildId ?? "");
  await setMeta(db, COMMANDS_HASH_KEY, hash);
  const commands = definitions.map((d) => d.name);
  if (guildId) {
    log.info({ commands, hash, guildId }, "registered slash commands in the development server only");
  } else {
    log.info({ commands, hash }, "registered slash commands globally");
  }
  return "registered";
}
