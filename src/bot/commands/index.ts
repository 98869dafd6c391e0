import type { SlashCommand } from "../handlers.js";
import * as config from "./config.js";
import * as help from "./help.js";
import * as link from "./link.js";
import * as me from "./me.js";
import * as parties from "./parties.js";
import * as party from "./party.js";
import * as privacy from "./privacy.js";
import * as unlink from "./unlink.js";

/** Every slash command the bot registers and answers. Add yours here. */
export const commands: readonly SlashCommand[] = [help, config, link, unlink, me, privacy, party, parties];
