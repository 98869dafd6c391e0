/**
 * The strategies the poll benchmark compares, each the real Poller wired differently:
 * "batched" is the bot's (as src/app.ts builds it), "scheduled" the one before it (the
 * schedule's plan, every member reading their own presence), "naive" the baseline
 * (everyone, presence and parties, every tick).
 */
import type { Store } from "../src/db/store.js";
import { findDueMembers } from "../src/db/watch.js";
import type { PartySink } from "../src/domain/partyUpdate.js";
import { defaultFriendOptions, FriendWatch } from "../src/jobs/friendWatch.js";
import type { BatchReads, PsnReads } from "../src/jobs/observe.js";
import { PartyDetailsCache, type ShareReads } from "../src/jobs/partyDetails.js";
import { Poller, type TokenSource } from "../src/jobs/poller.js";
import { type PollPlanner, SchedulePlanner, type TickPlan } from "../src/jobs/pollPlan.js";
import { scheduleOptionsFor } from "../src/jobs/schedule.js";
import { WatchStateSaves } from "../src/jobs/watchSaves.js";
import type { Logger } from "../src/log.js";

export type PollStrategy = "batched" | "scheduled" | "naive";

/** The latest date a Date holds: every linked member is due before it. */
const END_OF_TIME = new Date(8_640_000_000_000_000);

/** Everyone, presence and parties, every tick, in one pass; no schedule to resume. */
export class NaivePlanner implements PollPlanner {
  constructor(private readonly db: Store) {}

  async resume(): Promise<void> {}

  async plan(): Promise<TickPlan> {
    const everyone = await findDueMembers(this.db, END_OF_TIME);
    return {
      first: everyone.map((member) => ({
        member,
        plan: { due: true, presence: true, parties: true, partiesIfOnline: false },
      })),
      rest: [],
    };
  }
}

export interface BenchPollerDeps {
  db: Store;
  psn: PsnReads & ShareReads & BatchReads;
  tokens: TokenSource;
  sink: PartySink;
  log: Logger;
  now: () => Date;
  intervalSeconds: number;
  concurrency: number;
}

export function benchPoller(strategy: PollStrategy, deps: BenchPollerDeps): Poller {
  const { db, psn, tokens, log, concurrency } = deps;
  const schedule = scheduleOptionsFor(deps.intervalSeconds);
  const pollerLog = log.child({ component: "poller" });
  return new Poller({
    db,
    psn,
    tokens,
    sink: deps.sink,
    log,
    now: deps.now,
    concurrency,
    schedule,
    planner: strategy === "naive" ? new NaivePlanner(db) : new SchedulePlanner(db, schedule),
    details: new PartyDetailsCache(psn, pollerLog),
    friends:
      strategy === "batched"
        ? new FriendWatch(
            { db, psn, tokens, log: pollerLog, concurrency },
            defaultFriendOptions,
            schedule.tickMs,
          )
        : null,
    saves: new WatchStateSaves(db, log),
  });
}
