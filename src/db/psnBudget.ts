/**
 * The PSN request budget's ledger (src/psn/budget.ts): every grant and every 429 pause
 * per account, kept for one budget window, so a restart resumes the window instead of
 * granting a whole new budget. The writes are one indexed insert per PSN request,
 * through prepared statements: cheap next to the request itself.
 */
import { asc, eq, gt, lte, sql } from "drizzle-orm";
import type { BudgetLedger } from "../psn/budget.js";
import { type Db, dbOf, type Store } from "./client.js";
import { psnBudgetPauses, psnBudgetRequests } from "./schema.js";

export async function createBudgetLedger(store: Store): Promise<BudgetLedger> {
  const db = dbOf(store);
  const insertSpent = db
    .insert(psnBudgetRequests)
    .values({ accountId: sql.placeholder("key"), at: sql.placeholder("at") })
    .prepare();
  const upsertPause = db
    .insert(psnBudgetPauses)
    .values({ accountId: sql.placeholder("key"), until: sql.placeholder("until") })
    .onConflictDoUpdate({
      target: psnBudgetPauses.accountId,
      set: { until: sql`max(${psnBudgetPauses.until}, excluded.until)` },
    })
    .prepare();
  const deleteSpent = db
    .delete(psnBudgetRequests)
    .where(lte(psnBudgetRequests.at, sql.placeholder("before")))
    .prepare();
  const deletePauses = db
    .delete(psnBudgetPauses)
    .where(lte(psnBudgetPauses.until, sql.placeholder("before")))
    .prepare();
  return {
    async restore(since, now) {
      const spent = db
        .select({ key: psnBudgetRequests.accountId, at: psnBudgetRequests.at })
        .from(psnBudgetRequests)
        .where(gt(psnBudgetRequests.at, since))
        .orderBy(asc(psnBudgetRequests.at), asc(psnBudgetRequests.id))
        .all();
      const pauses = db
        .select({ key: psnBudgetPauses.accountId, until: psnBudgetPauses.until })
        .from(psnBudgetPauses)
        .where(gt(psnBudgetPauses.until, now))
        .all();
      return { spent, pauses };
    },
    async spent(key, at) {
      insertSpent.run({ key, at });
    },
    async paused(key, until) {
      upsertPause.run({ key, until });
    },
    async forget(before) {
      deleteSpent.run({ before });
      deletePauses.run({ before });
    },
  };
}

/** /unlink: the account's spending and pause go with everything else about the member. */
export async function forgetAccountBudget(store: Store, accountId: string): Promise<void> {
  return forgetAccountBudgetIn(dbOf(store), accountId);
}

/** forgetAccountBudget inside another unit of work's transaction. */
export function forgetAccountBudgetIn(db: Db, accountId: string): void {
  db.delete(psnBudgetRequests).where(eq(psnBudgetRequests.accountId, accountId)).run();
  db.delete(psnBudgetPauses).where(eq(psnBudgetPauses.accountId, accountId)).run();
}
