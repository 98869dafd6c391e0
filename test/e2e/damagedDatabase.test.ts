/**
 * A damaged database is not used: the bot refuses to start on a file with a page
 * overwritten, saying which file and what to do; and when the database fails under a
 * running bot, /healthz stops saying ok.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { prng } from "../../sim/prng.js";
import { explainStartupFailure } from "../../src/composition/startupErrors.js";
import { DatabaseDamagedError } from "../../src/db/store.js";
import { FAILED_TICKS_UNHEALTHY } from "../../src/jobs/pollHealth.js";
import { startWorld, type World } from "./world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Overwrites the page holding `table`'s rows with garbage, as a failing disk or a stray write would. */
function overwritePageOf(path: string, table: string): void {
  const probe = new Database(path, { readonly: true });
  const pageSize = probe.pragma("page_size", { simple: true }) as number;
  const { rootpage } = probe.prepare("select rootpage from sqlite_master where name = ?").get(table) as {
    rootpage: number;
  };
  probe.close();
  const random = prng(7);
  const garbage = Buffer.from(Array.from({ length: pageSize }, () => Math.floor(random() * 256)));
  const fd = openSync(path, "r+");
  writeSync(fd, garbage, 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
}

describe("a damaged database", () => {
  it("with a page overwritten, the bot refuses to start and says which file and what to do", async () => {
    world = await startWorld();
    const w = world;
    await w.linkMember(w.member, "Damaged_Page");
    // Stopping closes the database, which moves everything from the WAL into the file.
    await w.app.stop();
    const path = w.config.databasePath;
    // A table nothing reads at start: without the check, the bot would start and run on it.
    overwritePageOf(path, "link_tokens");

    const refused = await w.restartApp().then(
      () => null,
      (err: unknown) => err,
    );
    // Tagged with the start step that raised it, as every start failure is.
    const damaged =
      refused instanceof Error && refused.cause instanceof DatabaseDamagedError ? refused.cause : refused;
    expect(damaged).toBeInstanceOf(DatabaseDamagedError);
    const message = (damaged as Error).message;
    expect(message).toContain(`DATABASE_PATH (${path}) is damaged`);
    expect(message).toMatch(/restore your latest backup/);
    expect(message).toContain(`sqlite3 ${path} ".recover"`);
    // main prints it as the one line an operator reads.
    expect(explainStartupFailure(refused)).toBe(message);
  });

  it("/healthz answers 503 with the reason while poll ticks fail on the database, 200 once they succeed", async () => {
    world = await startWorld({ app: { schedulePolls: false } });
    const w = world;
    await w.linkMember(w.member, "Tick_Breaker");
    const health = async () => {
      const res = await fetch(`${w.webUrl}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; problems?: string[] } };
    };
    await w.app.poller.tick();
    expect((await health()).status).toBe(200);

    // Something outside the bot takes a table from under it: every tick now fails in the database.
    const outside = new Database(w.config.databasePath);
    outside.exec("alter table users rename to users_set_aside");
    for (let i = 1; i < FAILED_TICKS_UNHEALTHY; i++) {
      await expect(w.app.poller.tick()).rejects.toThrow(/no such table: users/);
      expect((await health()).status).toBe(200);
    }
    await expect(w.app.poller.tick()).rejects.toThrow(/no such table: users/);
    const failing = await health();
    expect(failing.status).toBe(503);
    expect(failing.body.status).toBe("unavailable");
    expect(failing.body.problems).toEqual([
      `the last ${FAILED_TICKS_UNHEALTHY} poll ticks failed: no such table: users`,
    ]);

    outside.exec("alter table users_set_aside rename to users");
    outside.close();
    await w.app.poller.tick();
    expect((await health()).status).toBe(200);
  });
});
