import { SlashCommandBuilder } from "discord.js";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/bot/commands/index.js";
import { customId, parseCustomId } from "../../src/bot/handlers.js";
import {
  type CommandJson,
  commandDefinitions,
  hashDefinitions,
  stableStringify,
} from "../../src/bot/registration.js";

const APP = "123456789012345678";

function command(name: string, description = "does things", extraOption?: string): CommandJson {
  const b = new SlashCommandBuilder().setName(name).setDescription(description);
  if (extraOption) b.addStringOption((o) => o.setName(extraOption).setDescription("an option"));
  return b.toJSON();
}

describe("hashDefinitions", () => {
  const defs = [command("alpha"), command("beta", "b", "x")];
  const hash = hashDefinitions(defs, APP);

  it("is a sha-256 hex digest, stable across calls", () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashDefinitions([command("alpha"), command("beta", "b", "x")], APP)).toBe(hash);
  });

  it.each<[string, CommandJson[], string, boolean]>([
    ["commands in another order", [command("beta", "b", "x"), command("alpha")], APP, true],
    [
      "keys in another order",
      [{ ...command("alpha") }, JSON.parse(JSON.stringify(command("beta", "b", "x")))],
      APP,
      true,
    ],
    ["a changed description", [command("alpha", "changed"), command("beta", "b", "x")], APP, false],
    ["an added option", [command("alpha", "does things", "y"), command("beta", "b", "x")], APP, false],
    ["a removed command", [command("alpha")], APP, false],
    ["another application", defs, "987654321098765432", false],
  ])("%s → same hash: %s", (_name, other, app, same) => {
    expect(hashDefinitions(other, app) === hash).toBe(same);
  });

  it("differs per development server, and is unchanged for a global registration", () => {
    expect(hashDefinitions(defs, APP, null)).toBe(hash);
    expect(hashDefinitions(defs, APP, "223456789012345678")).not.toBe(hash);
    expect(hashDefinitions(defs, APP, "223456789012345678")).not.toBe(
      hashDefinitions(defs, APP, "323456789012345678"),
    );
  });

  it("covers the real command definitions", () => {
    const real = commandDefinitions(commands);
    expect(real.map((d) => d.name)).toEqual(expect.arrayContaining(["help", "config"]));
    expect(hashDefinitions(real, APP)).toBe(hashDefinitions(commandDefinitions(commands), APP));
  });
});

describe("stableStringify", () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: 1, x: [3, { d: 1, c: 2 }] } }, '{"z":{"x":[3,{"c":2,"d":1}],"y":1}}'],
    [{ a: undefined, b: null }, '{"b":null}'],
  ])("%j → %s", (value, expected) => {
    expect(stableStringify(value)).toBe(expected);
  });
});

describe("custom ids", () => {
  it.each([
    ["invite:42", { prefix: "invite", id: "42" }],
    ["invite:a:b", { prefix: "invite", id: "a:b" }],
    ["approve-invite:7", { prefix: "approve-invite", id: "7" }],
    ["invite:", null],
    [":42", null],
    ["no-colon", null],
    ["Invite:42", null],
    ["", null],
  ])("parses %j", (value, expected) => {
    expect(parseCustomId(value)).toEqual(expected);
  });

  it("builds what it parses, and refuses what Discord would refuse", () => {
    expect(parseCustomId(customId("invite", "42"))).toEqual({ prefix: "invite", id: "42" });
    expect(() => customId("invite", "x".repeat(100))).toThrow();
    expect(() => customId("Bad Prefix", "1")).toThrow();
  });
});
