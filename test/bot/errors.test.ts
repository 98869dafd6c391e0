import { describe, expect, it } from "vitest";
import { explainStartupError, UserError } from "../../src/bot/errors.js";

/** Shaped as discord.js raises them (its DiscordjsError constructor is private). */
function discordjsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("explainStartupError", () => {
  it.each<[string, unknown, RegExp | null]>([
    [
      "discord.js TokenInvalid",
      discordjsError("TokenInvalid", "An invalid token was provided."),
      /DISCORD_TOKEN/,
    ],
    ["a 401 from REST", Object.assign(new Error("401: Unauthorized"), { status: 401 }), /DISCORD_TOKEN/],
    [
      "refused intents",
      discordjsError("DisallowedIntents", "Privileged intent provided is not enabled or whitelisted."),
      /intents/,
    ],
    [
      "unreachable API",
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      /DISCORD_API_BASE_URL/,
    ],
    ["something else", new Error("disk full"), null],
    ["not an error", "oops", null],
  ])("%s", (_name, err, expected) => {
    const text = explainStartupError(err);
    if (expected === null) expect(text).toBeNull();
    else expect(text).toMatch(expected);
  });

  it("keeps UserError recognisable", () => {
    const err = new UserError("no");
    expect(err).toBeInstanceOf(Error);
    expect(err.kind).toBe("user");
  });
});
