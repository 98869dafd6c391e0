/**
 * The poller on its own, for tests that drive it tick by tick: the PSN simulator over
 * real HTTP, the real PsnClient, a real SQLite file in a temporary directory, and
 * members linked straight into the database (no Discord involved) with the tokens a
 * real sign-in against the simulator gave them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PsnSim, startPsnSim } from "../../sim/psn/server.js";
import { optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import { openStore, type Store } from "../../src/db/store.js";
import { upsertLinkedUser } from "../../src/db/users.js";
import type { PartySink } from "../../src/domain/partyUpdate.js";
import { defaultFriendOptions, type FriendOptions, FriendWatch } from "../../src/jobs/friendWatch.js";
import { PartyDetailsCache } from "../../src/jobs/partyDetails.js";
import { Poller } from "../../src/jobs/poller.js";
import { SchedulePlanner } from "../../src/jobs/pollPlan.js";
import { scheduleOptionsFor } from "../../src/jobs/schedule.js";
import { WatchStateSaves } from "../../src/jobs/watchSaves.js";
import { silentLogger } from "../../src/log.js";
import type { PsnClient } from "../../src/psn/client.js";
import { staticToken } from "../../src/psn/http.js";
import { clientFor } from "../psn/harness.js";

/** What linking needs of a simulator account. */
type Account = Pick<ReturnType<PsnSim["createAccount"]>, "accountId" | "onlineId" | "npsso">;

export const RIG_GUILD = "400000000000000000";
/** RIG_GUILD's party channel: a member opted in to a server without one is announced nowhere. */
export const RIG_CHANNEL = "400000000000000001";

export interface PollerRig {
  sim: PsnSim;
  psn: PsnClient;
  database: Store;
  /** Access tokens by PSN account id, from the sign-ins. */
  tokens: Map<string, string>;
  close(): Promise<void>;
}

export async function startPollerRig(
  options: {
    latencyMs?: number;
    budget?: { requests: number };
    /**
     * The test's clock for the PSN simulator and client alike (budgets, 429 pauses): for
     * tests that run hours of ticks. Tokens then last a month, as hours pass in a moment.
     */
    clock?: () => number;
  } = {},
): Promise<PollerRig> {
  const sim = await startPsnSim({
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    ...(options.clock ? { now: options.clock, accessTokenTtlSec: 30 * 86_400 } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), "ppb-poller-"));
  const database = await openStore(join(dir, "bot.sqlite"));
  await updateGuild(database, RIG_GUILD, { channelId: RIG_CHANNEL });
  const psn = clientFor(sim, {
    retry: { attempts: 1 },
    timeoutMs: 10_000,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.clock ? { now: options.clock } : {}),
  });
  return {
    sim,
    psn,
    database,
    tokens: new Map(),
    async close() {
      await psn.close();
      await database.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs the account in and stores it as the Discord user's link (replacing one they had),
 * announced in RIG_GUILD unless told otherwise.
 */
export async function linkAccount(
  rig: PollerRig,
  account: Account,
  discordUserId: string,
  at: Date,
  options: { announced?: boolean } = {},
): Promise<void> {
  const signIn = await rig.psn.signInWithNpsso(account.npsso);
  rig.tokens.set(account.accountId, signIn.tokens.accessToken);
  await upsertLinkedUser(
    rig.database,
    {
      discordUserId,
      psnAccountId: account.accountId,
      psnOnlineId: account.onlineId,
      accessTokenEnc: "unused",
      accessTokenExpiresAt: new Date(at.getTime() + 3_600_000),
      refreshTokenEnc: "unused",
      refreshTokenExpiresAt: new Date(at.getTime() + 86_400_000),
    },
    at,
  );
  if (options.announced !== false) await optIn(rig.database, RIG_GUILD, discordUserId);
}

/** A poller over the rig, on the test's clock, every 30 s, wired as the app wires it. */
export function rigPoller(
  rig: PollerRig,
  options: {
    now: () => Date;
    sink: PartySink;
    concurrency?: number;
    friends?: Partial<FriendOptions>;
    /** The dice for the jitter of friend list retries (Math.random unless a test fixes it). */
    random?: () => number;
  },
) {
  const db = rig.database;
  const log = silentLogger();
  const concurrency = options.concurrency ?? 4;
  const tokens = { provider: (id: string) => staticToken(id, rig.tokens.get(id) ?? "") };
  const schedule = scheduleOptionsFor(30);
  return new Poller({
    db,
    psn: rig.psn,
    tokens,
    sink: options.sink,
    log,
    now: options.now,
    concurrency,
    schedule,
    planner: new SchedulePlanner(db, schedule),
    details: new PartyDetailsCache(rig.psn, log),
    friends: new FriendWatch(
      { db, psn: rig.psn, tokens, log, concurrency, ...(options.random ? { random: options.random } : {}) },
      { ...defaultFriendOptions, ...options.friends },
      schedule.tickMs,
    ),
    saves: new WatchStateSaves(db, log),
  });
}
