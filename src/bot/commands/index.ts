import type { SlashCommand } from "../handlers.js";
import * as config from "./config.js";
import * as help from "./help.js";

/** Every slash command the bot registers and answers. Add yours here. */
export const commands: readonly SlashCommand[] = [help, config];
