/**
 * The poll benchmark's poller in its own process, so its CPU and memory figures are the
 * poller's alone: the workload (every member, party and event the benchmark tracks) stays
 * in bench/poll.ts, the PSN simulator in bench/simHost.ts. This process holds what the
 * bot would: the real Poller and PsnClient, a real SQLite file, on the benchmark's clock.
 */

import { prng } from "../sim/prng.js";
import { saveFriendList } from "../src/db/friends.js";
import { optIn } from "../src/db/guildMembers.js";
import { updateGuild } from "../src/db/guilds.js";
import { createBudgetLedger } from "../src/db/psnBudget.js";
import { openStore, type Store } from "../src/db/store.js";
import { findUserByAccountId, upsertLinkedUser } from "../src/db/users.js";
import { pollSoon } from "../src/db/watch.js";
import { defaultFriendOptions } from "../src/jobs/friendWatch.js";
import type { Poller } from "../src/jobs/poller.js";
import { defaultScheduleOptions, newWatchState } from "../src/jobs/schedule.js";
import { silentLogger } from "../src/log.js";
import { PsnClient } from "../src/psn/client.js";
import { staticToken } from "../src/psn/http.js";
import { serveCommands } from "./commandChild.js";
import type { PhaseMemory, PollerCommand, TickResult } from "./pollerCommands.js";
import { benchPoller } from "./pollStrategies.js";

const baselineRss = process.memoryUsage().rss;
let clock = 0;
let db: Store | null = null;
let psn: PsnClient | null = null;
let poller: Poller | null = null;
let tokenOf = new Map<string, string>();
let intervalMs = 30_000;
let concurrency = 32;

/** Parties the sink was handed this phase, and those not yet reported to the workload. */
let sighted = new Set<string>();
let sightings: [string, number][] = [];
/** The simulated time a card would go out: the tick's start plus the real time the tick has run so far. */
let tickStartClock = 0;
let tickT0 = 0;

let peak: PhaseMemory["atPeakMb"] & { rss: number } = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
let sampler: NodeJS.Timeout | null = null;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
function sample(): void {
  const m = process.memoryUsage();
  if (m.rss > peak.rss)
    peak = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

function ready<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} is not set up`);
  return value;
}

async function run(cmd: PollerCommand): Promise<unknown> {
  switch (cmd.op) {
    case "setup": {
      clock = cmd.clock;
      intervalMs = cmd.intervalMs;
      concurrency = cmd.concurrency;
      tokenOf = new Map(cmd.members.map((m) => [m.accountId, m.token]));
      db = await openStore(cmd.dbPath);
      const d = db;
      await updateGuild(d, cmd.guildId, { channelId: "100000000000000002" });
      const schedule = { ...defaultScheduleOptions, tickMs: intervalMs };
      const now = new Date(clock);
      // Linked and announced as a sign-in would leave them, each on its first poll phase.
      for (const [i, m] of cmd.members.entries()) {
        const discordUserId = String(200000000000000000n + BigInt(i));
        const account = {
          discordUserId,
          psnAccountId: m.accountId,
          psnOnlineId: m.onlineId,
          accessTokenEnc: "bench",
          accessTokenExpiresAt: new Date(clock + 86_400_000),
          refreshTokenEnc: "bench",
          refreshTokenExpiresAt: new Date(clock + 86_400_000 * 30),
        };
        await upsertLinkedUser(d, account, now);
        await pollSoon(d, discordUserId, newWatchState(m.accountId, now, schedule).nextPollAt);
        await optIn(d, cmd.guildId, discordUserId);
      }
      psn = new PsnClient({
        apiBaseUrl: cmd.simUrl,
        authBaseUrl: cmd.simUrl,
        webBaseUrl: cmd.simUrl,
        dmsBaseUrl: cmd.simUrl,
        clientId: "bench",
        clientSecret: "bench",
        redirectUri: "bench://redirect",
        log: silentLogger(),
        now: () => clock,
        // As many sockets as members polled at once, or the sockets become the limit.
        connections: concurrency,
        // As the app does: every grant written to the database, so the cost is measured.
        budgetLedger: await createBudgetLedger(d),
      });
      if (cmd.friendListsSeed !== null) {
        // The bot's state after running a while: every friend list read once (at link time),
        // the reads spread over the last refresh period so the refreshes in the run are steady.
        // The workload counts these reads as set-up, not as the run's.
        const random = prng(cmd.friendListsSeed);
        const client = psn;
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < cmd.members.length) {
              const m = cmd.members[next++]!;
              // Drawn before the read, in the members' order: drawn after it, a member's time
              // would depend on which concurrent read answered first.
              const readAt = new Date(clock - random() * defaultFriendOptions.refreshMs);
              const friends = await client.getFriends(staticToken(m.accountId, m.token));
              const linkGeneration = (await findUserByAccountId(d, m.accountId))?.tokenGeneration ?? 0;
              await saveFriendList(d, { accountId: m.accountId, linkGeneration }, friends, readAt);
            }
          }),
        );
      }
      return { baselineRssMb: mb(baselineRss) };
    }
    case "phase": {
      // A new poller each phase, as after a restart, on the same database and budget.
      poller = benchPoller(cmd.strategy, {
        db: ready(db, "the database"),
        psn: ready(psn, "the PSN client"),
        // The benchmark measures polling, not token decryption: tokens come from the sign-ins.
        tokens: { provider: (accountId) => staticToken(accountId, tokenOf.get(accountId) ?? "") },
        sink: {
          apply: async ({ live }) => {
            const at = tickStartClock + (performance.now() - tickT0);
            for (const p of live)
              if (!sighted.has(p.sessionId)) {
                sighted.add(p.sessionId);
                sightings.push([p.sessionId, at]);
              }
          },
        },
        log: silentLogger(),
        now: () => new Date(clock),
        intervalSeconds: intervalMs / 1000,
        concurrency,
      });
      sighted = new Set();
      sightings = [];
      // Collected first, so the phase's peak is its own and not the garbage of what came before.
      (globalThis as { gc?: () => void }).gc?.();
      peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
      sample();
      // Sampled during the ticks too, not only between them, so a peak inside a tick counts.
      sampler = setInterval(sample, 25);
      return null;
    }
    case "tick": {
      clock = cmd.clock;
      const cpu = process.cpuUsage();
      tickStartClock = clock;
      tickT0 = performance.now();
      await ready(poller, "the poller").tick();
      const elapsedMs = performance.now() - tickT0;
      const used = process.cpuUsage(cpu);
      sample();
      const out: TickResult = { elapsedMs, cpuMs: (used.user + used.system) / 1000, sightings };
      sightings = [];
      return out;
    }
    case "endPhase": {
      if (sampler) clearInterval(sampler);
      sampler = null;
      await ready(poller, "the poller").stop();
      (globalThis as { gc?: () => void }).gc?.();
      const result: PhaseMemory = {
        liveHeapMbAtEnd: mb(process.memoryUsage().heapUsed),
        peakRssMb: mb(peak.rss),
        atPeakMb: { heapUsed: mb(peak.heapUsed), heapTotal: mb(peak.heapTotal), external: mb(peak.external) },
        processMaxRssMbSoFar: mb(process.resourceUsage().maxRSS * 1024),
      };
      poller = null;
      return result;
    }
    case "close":
      await psn?.close();
      await db?.close();
      psn = null;
      db = null;
      return null;
  }
}

serveCommands(run, async () => {
  await psn?.close();
  await db?.close();
});
