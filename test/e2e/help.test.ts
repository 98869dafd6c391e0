import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWorld, type World } from "./world.js";

interface EmbedJson {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.stop();
});

describe("/help", () => {
  it("answers privately with what the bot does and every registered command", async () => {
    const answer = await world.slash(world.member, "help").response();
    expect(answer.ephemeral).toBe(true);
    const embed = answer.embeds[0] as EmbedJson;
    expect(embed.description).toContain("PlayStation Network parties");
    const commandList = embed.fields?.find((f) => f.name === "Commands")?.value ?? "";
    for (const command of world.discord.commands()) {
      expect(commandList).toContain(`/${String(command.name)}`);
    }
    expect(commandList).toContain("**/config**");
    expect(commandList).toContain("`check`");
    // Subcommands in a group are listed under it.
    expect(commandList).toContain("`board channel`");
    expect(commandList).toContain("`board off`");
  });
});
