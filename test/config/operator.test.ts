import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { configProblems, VALID_ENV as valid } from "../support/config.js";

const problems = (env: Record<string, string>) => configProblems({ ...valid, ...env });

describe("LOG_FORMAT", () => {
  it.each<[Record<string, string>, "json" | "pretty"]>([
    [{}, "json"],
    [{ NODE_ENV: "production" }, "json"],
    [{ NODE_ENV: "test" }, "json"],
    [{ NODE_ENV: "development" }, "pretty"],
    [{ NODE_ENV: "development", LOG_FORMAT: "json" }, "json"],
    [{ NODE_ENV: "production", LOG_FORMAT: "pretty" }, "pretty"],
  ])("%j → %s", (env, format) => {
    expect(parseConfig({ ...valid, ...env }).logFormat).toBe(format);
  });

  it("accepts only json or pretty", () => {
    expect(problems({ LOG_FORMAT: "text" })).toEqual(["LOG_FORMAT: expected json or pretty"]);
  });
});

describe("DISCORD_DEV_GUILD_ID", () => {
  it("is unset by default: commands are registered globally", () => {
    expect(parseConfig(valid).discord.devGuildId).toBeNull();
  });

  it("takes a server id", () => {
    expect(parseConfig({ ...valid, DISCORD_DEV_GUILD_ID: " 223456789012345678 " }).discord.devGuildId).toBe(
      "223456789012345678",
    );
  });

  it("refuses anything else, saying what it expects", () => {
    expect(problems({ DISCORD_DEV_GUILD_ID: "my-server" })).toEqual([
      "DISCORD_DEV_GUILD_ID: expected a server id (Developer Mode → Copy Server ID) (a 17-20 digit Discord id)",
    ]);
  });
});
