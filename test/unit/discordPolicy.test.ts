import { DiscordAPIError } from "discord.js";
import { describe, expect, it } from "vitest";
import {
  type DiscordErrorDecision,
  discordCodeOf,
  discordErrorDecision,
  type MessageCall,
} from "../../src/jobs/messages/discordPolicy.js";

describe("discordErrorDecision", () => {
  it.each<[string, number | null, MessageCall, DiscordErrorDecision]>([
    ["Unknown Channel on a post", 10003, "post", "pause"],
    ["Unknown Channel on an edit", 10003, "edit", "pause"],
    ["Unknown Channel on an end", 10003, "end", "pause"],
    ["Missing Access on a post", 50001, "post", "pause"],
    ["Missing Access on an edit", 50001, "edit", "pause"],
    ["Missing Access on an end", 50001, "end", "pause"],
    ["Missing Permissions on a post", 50013, "post", "pause"],
    ["Missing Permissions on an edit", 50013, "edit", "pause"],
    ["Missing Permissions on an end", 50013, "end", "pause"],
    ["Unknown Message on an edit: deleted by hand", 10008, "edit", "repost"],
    ["Unknown Message on an end: nothing to grey out", 10008, "end", "settled"],
    ["Unknown Message on a post", 10008, "post", "retry"],
    ["too old to edit, live", 30046, "edit", "replace"],
    ["too old to edit, ending: replaced, so its buttons go", 30046, "end", "replace"],
    ["too old on a post", 30046, "post", "retry"],
    ["Invalid Form Body", 50035, "post", "retry"],
    ["Invalid Form Body on an edit", 50035, "edit", "retry"],
    ["not a Discord API error", null, "edit", "retry"],
    ["not a Discord API error, ending", null, "end", "retry"],
    ["Missing Access reading the channel back", 50001, "look", "pause"],
    ["Unknown Channel reading the channel back", 10003, "look", "pause"],
    ["a 5xx reading the channel back", null, "look", "retry"],
    ["deleting a message already gone", 10008, "delete", "settled"],
    ["deleting in a channel the bot lost", 50001, "delete", "pause"],
    ["a 5xx deleting", null, "delete", "retry"],
  ])("%s (%s, %s) → %s", (_what, code, during, decision) => {
    expect(discordErrorDecision(code, during)).toBe(decision);
  });
});

describe("discordCodeOf", () => {
  const apiError = (code: number | string) =>
    new DiscordAPIError(
      { code: typeof code === "number" ? code : 0, message: "x" },
      code,
      403,
      "PATCH",
      "/channels/1/messages/2",
      {},
    );
  it.each<[string, unknown, number | null]>([
    ["a Discord API error", apiError(50013), 50013],
    ["an error without a numeric code", apiError("x"), null],
    ["any other error", new Error("boom"), null],
    ["not an error", "boom", null],
  ])("%s → %s", (_what, err, code) => {
    expect(discordCodeOf(err)).toBe(code);
  });
});
