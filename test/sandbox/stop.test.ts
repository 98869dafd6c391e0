import { describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/sandbox.js";

/** Stopping the sandbox frees what it listened on: a second one (or a restart on the same ports) finds nothing left. */
describe("stopping the sandbox", () => {
  it("closes both simulators and the bot's sign-in pages", async () => {
    const sandbox = await startSandbox({ schedulePolls: false });
    const urls = [
      `${sandbox.psn.url}/_sim/accounts`,
      `${sandbox.discord.apiUrl}/v10/gateway`,
      `${sandbox.webUrl}/static/style.css`,
    ];
    for (const url of urls) expect((await fetch(url)).status, url).toBeLessThan(500);
    await sandbox.stop();
    for (const url of urls) await expect(fetch(url), url).rejects.toThrow();
  });
});
