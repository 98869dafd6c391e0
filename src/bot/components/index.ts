import type { ButtonFamily } from "../handlers.js";
import * as invite from "./invite.js";
import * as inviteApproval from "./inviteApproval.js";
import * as relink from "./relink.js";
import * as unlink from "./unlink.js";

/** Every family of persistent buttons (custom_id `<prefix>:<id>`). Add yours here. */
export const components: readonly ButtonFamily[] = [unlink, relink, invite, inviteApproval];
