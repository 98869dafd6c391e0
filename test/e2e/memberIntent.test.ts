/**
 * The bot asks for the Server Members intent (to hear that a member left). Discord
 * refuses it (4014) until the operator turns it on; the start then fails with a line
 * naming the toggle, as `npm start` would log it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BOT_TOKEN, testEnv } from "../../sim/botEnv.js";
import { startDiscordSim } from "../../sim/discord/server.js";
import { startApp } from "../../src/app.js";
import { explainStartupFailure } from "../../src/composition/startupErrors.js";
import { parseConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";

it("names the Server Members Intent when Discord refuses it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ppb-intent-"));
  const discord = await startDiscordSim({ botToken: BOT_TOKEN, privilegedIntents: 0 });
  try {
    discord.createGuild({ name: "Somewhere" });
    const config = parseConfig(testEnv(discord.apiUrl, discord.applicationId, join(dir, "bot.sqlite")));
    const failure = await startApp(config, {
      log: silentLogger(),
      registerCommands: false,
      schedulePolls: false,
      rest: { retries: 0, offset: 0 },
    }).then(
      async (app) => {
        await app.stop();
        return null;
      },
      (err: unknown) => err,
    );
    expect(explainStartupFailure(failure)).toContain("Server Members Intent");
  } finally {
    await discord.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
