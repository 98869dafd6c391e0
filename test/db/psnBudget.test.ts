/**
 * The PSN budget's ledger on the real SQLite file: what a restart resumes from. A pause
 * PSN asked for (a 429's Retry-After) must outlive the process, and a shorter pause
 * recorded after it must not cut it short: the bot would go back to PSN before the time
 * PSN gave, which is how an account gets banned. And what no window counts any more is
 * deleted, or the file grows by a row for every PSN request the bot ever made.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dbOf } from "../../src/db/client.js";
import { createBudgetLedger } from "../../src/db/psnBudget.js";
import { psnBudgetPauses, psnBudgetRequests } from "../../src/db/schema.js";
import { openStore, type Store } from "../../src/db/store.js";
import { RequestBudget } from "../../src/psn/budget.js";

describe("the PSN budget's pauses across a restart", () => {
  let dir: string;
  let database: Store | undefined;
  const t0 = Date.parse("2026-03-01T20:00:00Z");
  let now = t0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ppb-budget-"));
    now = t0;
  });
  afterEach(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The budget as the app builds it at start: restored from the ledger in the database file. */
  async function start(): Promise<RequestBudget> {
    await database?.close();
    database = await openStore(join(dir, "bot.sqlite"));
    return new RequestBudget({ now: () => now, ledger: await createBudgetLedger(database) });
  }

  it("keeps the later of two pauses, whichever was recorded last", async () => {
    const budget = await start();
    // PSN answered 429 with an hour's Retry-After.
    await budget.pause("acct-1", new Date(t0 + 60 * 60_000));
    // A shorter pause for the same account reaches the ledger afterwards. One process's
    // budget passes on the later end itself; another writer of the same database (the
    // several instances of DESIGN.md's scale section) does not know it.
    const otherWriter = await createBudgetLedger(database!);
    await otherWriter.paused("acct-1", t0 + 60_000);

    now = t0 + 5 * 60_000;
    const restarted = await start();
    expect(restarted.pausedUntil("acct-1")).toEqual(new Date(t0 + 60 * 60_000));
    expect(restarted.remaining("acct-1")).toBe(0);
  });

  it("keeps one window on disk: older grants and pauses long over are deleted as the budget sweeps", async () => {
    const budget = await start();
    for (let i = 0; i < 3; i++) await budget.acquire("acct-1");
    await budget.pause("acct-2", new Date(t0 + 60_000));
    // A window after the pause ended: nothing stored before then counts any more.
    now = t0 + 60_000 + budget.windowMs + budget.marginMs + 1;
    await budget.acquire("acct-1");
    await budget.sweep();
    const grants = dbOf(database!).select().from(psnBudgetRequests).all();
    expect(grants.map((g) => [g.accountId, g.at])).toEqual([["acct-1", now]]);
    expect(dbOf(database!).select().from(psnBudgetPauses).all()).toEqual([]);
  });
});
