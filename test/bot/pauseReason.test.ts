import { describe, expect, it } from "vitest";
import { pauseReasonText } from "../../src/bot/pauseReason.js";
import { type PauseReason, pauseReasonFromJson } from "../../src/domain/pauseReason.js";

describe("pauseReasonText", () => {
  it.each<[PauseReason, string]>([
    [{ code: "missingAccess", channelId: "123" }, "Missing Access (50001): the bot cannot see <#123>"],
    [
      { code: "missingPermissions", channelId: "123" },
      "Missing Permissions (50013): the bot cannot post or edit in <#123>",
    ],
    [
      { code: "cannotReadHistory", channelId: "123" },
      "Missing Permissions (Read Message History): the bot cannot look for its messages in <#123>",
    ],
    [{ code: "channelGone", channelId: "123" }, "Unknown Channel (10003): <#123> no longer exists"],
    [{ code: "unknown" }, "Discord refused the bot access to the channel"],
  ])("%o reads %j", (reason, text) => {
    expect(pauseReasonText(reason)).toBe(text);
  });
});

describe("pauseReasonFromJson", () => {
  it.each([
    ["a stored code", '{"code":"channelGone","channelId":"1"}', { code: "channelGone", channelId: "1" }],
    ["a code this version does not know", '{"code":"rateLimited"}', { code: "unknown" }],
    ["a code without its channel", '{"code":"missingAccess"}', { code: "unknown" }],
    ["a sentence", "Missing Access", { code: "unknown" }],
  ])("reads %s back, still a pause", (_what, json, reason) => {
    expect(pauseReasonFromJson(json)).toEqual(reason);
  });
});
