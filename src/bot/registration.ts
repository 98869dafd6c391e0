import { createHash } from "node:crypto";
import { type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody, Routes } from "discord.js";
import type { Db } from "../db/client.js";
import { getMeta, setMeta } from "../db/meta.js";
import type { Logger } from "../log.js";
import { definitionJson, type SlashCommand } from "./handlers.js";

export const COMMANDS_HASH_KEY = "commands_hash";

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
export function hashDefinitions(definitions: readonly CommandJson[], applicationId: string): string {
  const sorted = [...definitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createHash("sha256")
    .update(stableStringify({ applicationId, commands: sorted }))
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
  db: Db;
  rest: REST;
  log: Logger;
  applicationId: string;
  definitions: readonly CommandJson[];
}

/**
 * Registers the commands globally unless the same definitions were registered
 * last time: global registration is rate limited and takes a while to spread, so
 * a restart should not repeat it for nothing.
 */
export async function syncCommands(options: SyncOptions): Promise<"registered" | "unchanged"> {
  const hash = hashDefinitions(options.definitions, options.applicationId);
  if (getMeta(options.db, COMMANDS_HASH_KEY) === hash) {
    options.log.debug({ hash }, "slash commands unchanged, not registering");
    return "unchanged";
  }
  await putCommands(options.rest, options.applicationId, options.definitions);
  setMeta(options.db, COMMANDS_HASH_KEY, hash);
  options.log.info(
    { commands: options.definitions.map((d) => d.name), hash },
    "registered slash commands globally",
  );
  return "registered";
}
