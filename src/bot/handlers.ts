import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { BotContext } from "./context.js";

/** A slash command as registered: a SlashCommandBuilder, or the JSON it produces. */
export type CommandDefinition =
  | RESTPostAPIChatInputApplicationCommandsJSONBody
  | { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };

/**
 * What a file in src/bot/commands exports. Method syntax on purpose: a guild-only
 * command may declare `ChatInputCommandInteraction<"cached">` and narrow inside.
 */
export interface SlashCommand {
  readonly definition: CommandDefinition;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

/** What a file in src/bot/components exports: one family of persistent buttons. */
export interface ButtonFamily {
  /** The part of `custom_id` before the first colon, e.g. "invite" in "invite:42". */
  readonly prefix: string;
  execute(interaction: ButtonInteraction, id: string, ctx: BotContext): Promise<void>;
}

export function definitionJson(
  definition: CommandDefinition,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  if ("toJSON" in definition && typeof definition.toJSON === "function") return definition.toJSON();
  return definition as RESTPostAPIChatInputApplicationCommandsJSONBody;
}

export function commandName(command: SlashCommand): string {
  return definitionJson(command.definition).name;
}

const PREFIX = /^[a-z][a-z0-9-]{0,31}$/;

/** Builds `<prefix>:<id>`; Discord caps custom_id at 100 characters. */
export function customId(prefix: string, id: string): string {
  const value = `${prefix}:${id}`;
  if (!PREFIX.test(prefix) || id.length === 0 || value.length > 100) {
    throw new Error(`invalid custom_id for prefix ${prefix}`);
  }
  return value;
}

/** Splits `<prefix>:<id>`, or null when the id is not one of ours. */
export function parseCustomId(value: string): { prefix: string; id: string } | null {
  const colon = value.indexOf(":");
  if (colon <= 0) return null;
  const prefix = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (!PREFIX.test(prefix) || id.length === 0) return null;
  return { prefix, id };
}
