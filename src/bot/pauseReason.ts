/**
 * A stored pause reason in words, for `/config show` and `/config check`. The database
 * keeps only the code and its parameters (domain/pauseReason.ts); the wording lives here
 * so it can change, or be translated, without touching stored rows.
 */
import type { PauseReason } from "../domain/pauseReason.js";

export function pauseReasonText(reason: PauseReason): string {
  switch (reason.code) {
    case "missingAccess":
      return `Missing Access (50001): the bot cannot see <#${reason.channelId}>`;
    case "missingPermissions":
      return `Missing Permissions (50013): the bot cannot post or edit in <#${reason.channelId}>`;
    case "cannotReadHistory":
      return `Missing Permissions (Read Message History): the bot cannot look for its messages in <#${reason.channelId}>`;
    case "channelGone":
      return `Unknown Channel (10003): <#${reason.channelId}> no longer exists`;
    case "unknown":
      return "Discord refused the bot access to the channel";
  }
}
