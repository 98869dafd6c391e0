import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { REST } from "discord.js";
import { z } from "zod";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createLogger, type Logger } from "../log.js";
import { commands as defaultCommands } from "./commands/index.js";
import { explainStartupError } from "./errors.js";
import type { SlashCommand } from "./handlers.js";
import { commandDefinitions, putCommands } from "./registration.js";

/**
 * `npm run deploy-commands [-- --guild <id>]`: registers the slash commands over
 * REST only (no gateway), globally or in one server, where a change applies at once.
 */

export interface DeployOptions {
  guildId?: string;
  commands?: readonly SlashCommand[];
}

export async function deployCommands(config: Config, options: DeployOptions = {}): Promise<string[]> {
  const rest = new REST({ api: config.discord.apiBaseUrl, version: "10" }).setToken(config.discord.token);
  const definitions = commandDefinitions(options.commands ?? defaultCommands);
  await putCommands(rest, config.discord.applicationId, definitions, options.guildId);
  return definitions.map((d) => d.name);
}

const guildIdSchema = z
  .string()
  .regex(
    /^\d{17,20}$/,
    "--guild expects a server id (a 17-20 digit number; Developer Mode → Copy Server ID)",
  );

export async function runDeployCommands(argv: string[], log: Logger): Promise<number> {
  let guildId: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { guild: { type: "string" } }, strict: true });
    guildId = values.guild === undefined ? undefined : guildIdSchema.parse(values.guild);
  } catch (err) {
    const message = err instanceof z.ZodError ? (err.issues[0]?.message ?? "invalid --guild") : String(err);
    console.error(`${message}\nUsage: npm run deploy-commands [-- --guild <server id>]`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\nSee .env.example and the README's "Configuration" section.`);
      return 1;
    }
    throw err;
  }
  try {
    const names = await deployCommands(config, guildId ? { guildId } : {});
    log.info(
      { commands: names, guildId },
      guildId
        ? `registered ${names.length} commands in server ${guildId}`
        : `registered ${names.length} commands globally (Discord may take up to an hour to show changes everywhere)`,
    );
    return 0;
  } catch (err) {
    const explained = explainStartupError(err);
    if (explained) log.error(explained);
    else log.error({ err }, "could not register the commands");
    return 1;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const log = createLogger({ pretty: process.stdout.isTTY });
  void runDeployCommands(process.argv.slice(2), log).then((code) => {
    process.exitCode = code;
  });
}
