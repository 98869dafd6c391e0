import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type EmbedBuilder,
  Events,
  type Interaction,
  MessageFlags,
  type RepliableInteraction,
} from "discord.js";
import type { InteractionKind, InteractionOutcome } from "../metrics.js";
import type { BotContext } from "./context.js";
import { GENERIC_FAILURE, isUserError } from "./errors.js";
import { type ButtonFamily, commandName, parseCustomId, type SlashCommand } from "./handlers.js";
import { type CommandJson, commandDefinitions } from "./registration.js";

export const UNKNOWN_COMMAND =
  "This command is not available any more. Discord may still be updating its command list; try again in a minute.";
export const UNKNOWN_BUTTON = "This button no longer works. It may belong to an older version of the bot.";
export const UNSUPPORTED_INTERACTION = "The bot does not handle this kind of action.";

export interface RouterOptions {
  commands: readonly SlashCommand[];
  components: readonly ButtonFamily[];
}

/**
 * The table of handlers. It holds no services: the context is handed in when it
 * starts listening, so the context can carry the router's own command list (/help).
 */
export interface Router {
  readonly commands: readonly SlashCommand[];
  readonly components: readonly ButtonFamily[];
  /** The commands as Discord registers them. */
  readonly definitions: readonly CommandJson[];
  /** Handles one interaction; never rejects. */
  route(interaction: Interaction, ctx: BotContext): Promise<void>;
  /** Listens for interactions on the client; returns the function that stops listening. */
  attach(client: Client, ctx: BotContext): () => void;
}

export interface EphemeralAnswer {
  content?: string;
  embeds?: EmbedBuilder[];
}

/**
 * Answers privately whatever state the interaction is in: a first reply, the
 * deferred reply of a command, or a follow-up (a button's deferUpdate must not
 * have its message overwritten by the error).
 */
export async function answerEphemeral(
  interaction: RepliableInteraction,
  answer: EphemeralAnswer,
): Promise<void> {
  if (interaction.deferred && !interaction.replied && interaction.isChatInputCommand()) {
    await interaction.editReply(answer);
  } else if (interaction.deferred || interaction.replied) {
    await interaction.followUp({ ...answer, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ ...answer, flags: MessageFlags.Ephemeral });
  }
}

export function createRouter(options: RouterOptions): Router {
  const commands = indexBy(options.commands, commandName, "command");
  const families = indexBy(options.components, (f) => f.prefix, "button family");

  /**
   * Counted before anything is answered, so an answer that fails still counts what the
   * handler did. `command` is one of ours (a command name, a button family), never what
   * Discord sent for an unknown one, so the label stays a small fixed set.
   */
  function count(
    ctx: BotContext,
    kind: InteractionKind,
    command: string | null,
    outcome: InteractionOutcome,
  ) {
    ctx.metrics.interactions.inc({ kind, command: command ?? "unknown", outcome });
  }

  const outcomeOf = (err: unknown): InteractionOutcome => (isUserError(err) ? "refused" : "error");

  async function fail(
    interaction: RepliableInteraction,
    ctx: BotContext,
    err: unknown,
    what: Record<string, unknown>,
  ) {
    if (isUserError(err)) {
      await answerEphemeral(interaction, { content: err.message });
      return;
    }
    ctx.log.error(
      { err, guildId: interaction.guildId, userId: interaction.user.id, ...what },
      "interaction handler failed",
    );
    await answerEphemeral(interaction, { content: GENERIC_FAILURE });
  }

  async function runCommand(interaction: ChatInputCommandInteraction, ctx: BotContext) {
    const command = commands.get(interaction.commandName);
    if (!command) {
      count(ctx, "command", null, "unknown");
      await answerEphemeral(interaction, { content: UNKNOWN_COMMAND });
      return;
    }
    const name = commandName(command);
    try {
      await command.execute(interaction, ctx);
    } catch (err) {
      count(ctx, "command", name, outcomeOf(err));
      await fail(interaction, ctx, err, { command: interaction.commandName });
      return;
    }
    count(ctx, "command", name, "ok");
  }

  async function runButton(interaction: ButtonInteraction, ctx: BotContext) {
    const parsed = parseCustomId(interaction.customId);
    const family = parsed ? families.get(parsed.prefix) : undefined;
    if (!parsed || !family) {
      count(ctx, "button", null, "unknown");
      await answerEphemeral(interaction, { content: UNKNOWN_BUTTON });
      return;
    }
    try {
      await family.execute(interaction, parsed.id, ctx);
    } catch (err) {
      count(ctx, "button", family.prefix, outcomeOf(err));
      await fail(interaction, ctx, err, { customId: interaction.customId });
      return;
    }
    count(ctx, "button", family.prefix, "ok");
  }

  async function runAutocomplete(interaction: AutocompleteInteraction, ctx: BotContext) {
    const command = commands.get(interaction.commandName);
    try {
      if (!command?.autocomplete) {
        count(ctx, "autocomplete", null, "unknown");
        await interaction.respond([]);
        return;
      }
      await command.autocomplete(interaction, ctx);
      count(ctx, "autocomplete", commandName(command), "ok");
    } catch (err) {
      if (command) count(ctx, "autocomplete", commandName(command), "error");
      ctx.log.error(
        { err, guildId: interaction.guildId, userId: interaction.user.id, command: interaction.commandName },
        "autocomplete failed",
      );
      if (!interaction.responded) await interaction.respond([]);
    }
  }

  async function route(interaction: Interaction, ctx: BotContext): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) await runCommand(interaction, ctx);
      else if (interaction.isButton()) await runButton(interaction, ctx);
      else if (interaction.isAutocomplete()) await runAutocomplete(interaction, ctx);
      else if (interaction.isRepliable()) {
        count(ctx, "other", null, "unknown");
        await answerEphemeral(interaction, { content: UNSUPPORTED_INTERACTION });
      }
    } catch (err) {
      // Answering itself failed (expired token, network): nothing left to tell the user.
      ctx.log.warn(
        { err, interactionId: interaction.id, guildId: interaction.guildId },
        "could not answer interaction",
      );
    }
  }

  return {
    commands: options.commands,
    components: options.components,
    definitions: commandDefinitions(options.commands),
    route,
    attach(client, ctx) {
      const listener = (interaction: Interaction) => void route(interaction, ctx);
      client.on(Events.InteractionCreate, listener);
      return () => client.off(Events.InteractionCreate, listener);
    },
  };
}

function indexBy<T>(items: readonly T[], key: (item: T) => string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (map.has(k)) throw new Error(`two handlers for the ${what} "${k}"`);
    map.set(k, item);
  }
  return map;
}
