/**
 * `npm run bench:poll -- --users 10000 --online 0.1 --in-party 0.03 --latency-ms 50`
 *
 * Runs the real Poller (real PsnClient over HTTP to the PSN simulator, which runs in
 * a child process with the given latency; a real SQLite file) over simulated time:
 * the clock is injected and moved one interval per tick (or by the tick's real
 * duration when a tick runs longer, as the non-overlapping schedule would). Members
 * come online, go offline, start and end parties at random times (seeded PRNG).
 * Discord is not involved: the card sink only records when each party is first seen.
 * Members are PSN friends within communities (`--friends`: the share with at least one
 * linked friend; `--friend-degree`: their mean number of linked friends). The bot's
 * strategy (batched: friends' batch presence reads), the one before it (scheduled: every
 * member read with their own token) and the naive baseline (everyone, presence and
 * parties, every tick) run one after the other on the same world and seed. Prints one
 * JSON line.
 *
 * Fast mode: `npm run bench:poll -- --users 500 --minutes 10`.
 * One strategy: `--strategies batched` (the workload does not depend on the friend graph,
 * so the others' figures are the same for every `--friends`).
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/client.js";
import { saveFriendList } from "../src/db/friends.js";
import { createBudgetLedger } from "../src/db/psnBudget.js";
import { guildMembers, guilds, users } from "../src/db/schema.js";
import { defaultFriendOptions } from "../src/jobs/friendWatch.js";
import { Poller, type PollStrategy } from "../src/jobs/poller.js";
import { defaultScheduleOptions, newWatchState } from "../src/jobs/schedule.js";
import { silentLogger } from "../src/log.js";
import { PsnClient } from "../src/psn/client.js";
import { staticToken } from "../src/psn/http.js";
import { prng } from "../test/support/prng.js";
import type { SimCommand } from "./simCommands.js";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "10000" },
    online: { type: "string", default: "0.1" },
    "in-party": { type: "string", default: "0.03" },
    "latency-ms": { type: "string", default: "50" },
    minutes: { type: "string", default: "20" },
    "naive-minutes": { type: "string" },
    interval: { type: "string", default: "30" },
    concurrency: { type: "string", default: "32" },
    seed: { type: "string", default: "42" },
    friends: { type: "string", default: "0.7" },
    "friend-degree": { type: "string", default: "8" },
    strategies: { type: "string", default: "batched,scheduled,naive" },
    /** Community size as a multiple of the mean degree + 1 (1: close-knit groups where all are friends). */
    "community-size": { type: "string", default: "1.5" },
  },
});
const FRIENDS = Number(args.friends);
const FRIEND_DEGREE = Number(args["friend-degree"]);
const COMMUNITY_SIZE = Number(args["community-size"]);
const STRATEGIES = args.strategies.split(",").map((x) => x.trim()) as PollStrategy[];

const USERS = Number(args.users);
const ONLINE = Number(args.online);
const IN_PARTY = Number(args["in-party"]);
const LATENCY_MS = Number(args["latency-ms"]);
const MINUTES = Number(args.minutes);
const NAIVE_MINUTES = Number(args["naive-minutes"] ?? Math.min(MINUTES, 3));
/** The start-up spread of offline members: one full offline backoff (2 minutes). */
const WARMUP_MS = 2 * 60_000;
const INTERVAL_MS = Number(args.interval) * 1000;
const CONCURRENCY = Number(args.concurrency);
/** Mean length of an online session and of a party, in minutes. */
const SESSION_MIN = 60;
const PARTY_MIN = 20;
const GUILD_ID = "100000000000000001";

const random = prng(Number(args.seed));
/** For the bench's own set-up (friend-list read times), so the workload's draws stay the same. */
const random2 = prng(Number(args.seed) + 104729);
/** A random whole number with mean `x`, so small rates are not rounded away. */
const poissonish = (x: number) => Math.floor(x) + (random() < x - Math.floor(x) ? 1 : 0);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

// ---- the simulator process ---------------------------------------------------

class SimProcess {
  private next = 1;
  private readonly waiting = new Map<number, (results: unknown[]) => void>();
  readonly ready: Promise<void>;
  constructor(private readonly child: ChildProcess) {
    let ready!: () => void;
    this.ready = new Promise((r) => {
      ready = r;
    });
    child.on("message", (m: { id: number; results: unknown[] }) => {
      if (m.id === 0) return ready();
      this.waiting.get(m.id)?.(m.results);
      this.waiting.delete(m.id);
    });
  }
  send(cmds: SimCommand[]): Promise<unknown[]> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, cmds });
    });
  }
  close(): void {
    this.child.disconnect();
  }
}

// ---- the workload --------------------------------------------------------------

interface Member {
  accountId: string;
  onlineId: string;
  token: string;
  online: boolean;
  onlineSince: number;
  party: string | null;
}

interface PartyEvent {
  kind: "onlineMember" | "comingOnline";
  at: number;
  /** The host has a linked friend (could be covered by a batch read). */
  friend: boolean;
}

interface Detection {
  n: number;
  p50: number | null;
  p95: number | null;
}

interface PhaseResult {
  strategy: PollStrategy;
  simulatedMinutes: number;
  ticks: number;
  psnRequestsPerMemberPerMinute: number;
  requestsPerTick: { mean: number; max: number };
  tickMs: { p50: number; p95: number; max: number };
  detectionSec: {
    onlineMemberStartsParty: Detection & { withLinkedFriend: Detection; withoutLinkedFriend: Detection };
    memberComesOnlineInParty: Detection & {
      withLinkedFriend: Detection;
      withoutLinkedFriend: Detection;
      /** Events after the first WARMUP_MS of the phase: members already on their steady schedule. */
      withLinkedFriendAfterWarmup: Detection;
    };
    undetectedAtEnd: number;
  };
  /** The most PSN requests one account made in the phase (its budget: 300 per 15 minutes). */
  maxRequestsByOneAccount: number;
  /** Requests PSN (the simulator) refused with 429. */
  rateLimited: number;
  /** Where the requests went, per member per minute. */
  requestsPerMemberPerMinuteByEndpoint: Record<string, number>;
  cpuMsPerTick: { mean: number; p95: number };
  peakRssMb: number;
  /** The kernel's high-water mark for the process up to the end of this phase (set-up included). */
  processMaxRssMbSoFar: number;
  /** Where the peak sat: V8's heap (used, reserved) and memory outside it (buffers, SQLite). */
  atPeakMb: { heapUsed: number; heapTotal: number; external: number };
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const round = (n: number | null, digits = 1) => (n === null ? null : Number(n.toFixed(digits)));
const detection = (values: number[]): Detection => ({
  n: values.length,
  p50: round(quantile(values, 0.5)),
  p95: round(quantile(values, 0.95)),
});

/**
 * PSN friendships among the members: FRIENDS of them in communities of about
 * COMMUNITY_SIZE × (mean degree + 1) members, each pair in a community friends with the probability that gives FRIEND_DEGREE
 * friends on average; nobody in a community is left without a friend. From its own seed,
 * so the workload's random draws are the same whatever the graph.
 */
function friendGraph(ids: readonly string[], seed: number): [string, string][] {
  const rnd = prng(seed);
  const social = [...ids].sort(() => rnd() - 0.5).slice(0, Math.round(ids.length * FRIENDS));
  const pairs: [string, string][] = [];
  for (let i = 0; i < social.length; ) {
    // Sizes vary ±30% around the mean.
    const size = Math.max(2, Math.round((FRIEND_DEGREE + 1) * COMMUNITY_SIZE * (0.7 + 0.6 * rnd())));
    const group = social.slice(i, i + size);
    i += size;
    if (group.length < 2) {
      // A last one alone joins the previous community's first member.
      if (group[0] && i - size > 0) pairs.push([group[0], social[i - size - 1]!]);
      continue;
    }
    const p = Math.min(1, FRIEND_DEGREE / (group.length - 1));
    const degree = new Map(group.map((g) => [g, 0]));
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++)
        if (rnd() < p) {
          pairs.push([group[a]!, group[b]!]);
          degree.set(group[a]!, degree.get(group[a]!)! + 1);
          degree.set(group[b]!, degree.get(group[b]!)! + 1);
        }
    for (const [g, d] of degree) {
      if (d > 0) continue;
      const other = group.find((x) => x !== g)!;
      pairs.push([g, other]);
    }
  }
  return pairs;
}

async function main(): Promise<void> {
  const baselineRss = process.memoryUsage().rss;
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled (npm run bench:poll) the simulator runs as plain JavaScript too; from source, through tsx.
  const compiled = import.meta.url.endsWith(".js");
  const child = fork(join(here, compiled ? "simHost.js" : "simHost.ts"), [], {
    execArgv: compiled ? ["--enable-source-maps"] : ["--import", "tsx"],
    env: { ...process.env, BENCH_LATENCY_MS: String(LATENCY_MS) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const sim = new SimProcess(child);
  const dir = mkdtempSync(join(tmpdir(), "ppb-bench-"));
  try {
    await sim.ready;
    const [url] = (await sim.send([{ op: "url" }])) as [string];
    const [accounts] = (await sim.send([{ op: "setup", count: USERS, concurrency: 256 }])) as [
      { accountId: string; onlineId: string; accessToken: string }[],
    ];
    const members: Member[] = accounts.map((a) => ({
      accountId: a.accountId,
      onlineId: a.onlineId,
      token: a.accessToken,
      online: false,
      onlineSince: 0,
      party: null,
    }));
    const byAccount = new Map(members.map((m) => [m.accountId, m]));

    let clock = Date.UTC(2026, 0, 1, 20, 0, 0);
    const now = () => new Date(clock);

    // The starting mix: ONLINE of the members online, IN_PARTY of them in parties of 2-3.
    const shuffled = [...members].sort(() => random() - 0.5);
    const onlineCount = Math.round(USERS * ONLINE);
    const setupCmds: SimCommand[] = [];
    for (const m of shuffled.slice(0, onlineCount)) {
      m.online = true;
      m.onlineSince = clock - 60 * 60_000;
      setupCmds.push({ op: "presence", accountId: m.accountId, online: true });
    }
    await sim.send(setupCmds);
    const parties = new Map<string, string[]>();
    let inParty = 0;
    const online = shuffled.slice(0, onlineCount);
    for (let i = 0; inParty < USERS * IN_PARTY && i + 2 < online.length; i += 3) {
      const group = online.slice(i, i + 2 + Math.floor(random() * 2));
      const [sessionId] = (await sim.send([
        { op: "startParty", host: group[0]!.accountId, members: group.slice(1).map((g) => g.accountId) },
      ])) as [string];
      parties.set(
        sessionId,
        group.map((g) => g.accountId),
      );
      for (const g of group) g.party = sessionId;
      inParty += group.length;
    }

    const db = openDatabase(join(dir, "bench.sqlite"));
    db.db.insert(guilds).values({ guildId: GUILD_ID, channelId: "100000000000000002" }).run();
    const schedule = { ...defaultScheduleOptions, tickMs: INTERVAL_MS };
    for (let i = 0; i < members.length; i += 500) {
      const chunk = members.slice(i, i + 500);
      db.db
        .insert(users)
        .values(
          chunk.map((m, j) => {
            const state = newWatchState(m.accountId, now(), schedule);
            return {
              discordUserId: String(200000000000000000n + BigInt(i + j)),
              psnAccountId: m.accountId,
              psnOnlineId: m.onlineId,
              accessTokenEnc: "bench",
              accessTokenExpiresAt: new Date(clock + 86_400_000),
              refreshTokenEnc: "bench",
              refreshTokenExpiresAt: new Date(clock + 86_400_000 * 30),
              nextPollAt: state.nextPollAt,
            };
          }),
        )
        .run();
      db.db
        .insert(guildMembers)
        .values(
          chunk.map((_, j) => ({
            guildId: GUILD_ID,
            discordUserId: String(200000000000000000n + BigInt(i + j)),
          })),
        )
        .run();
    }

    const pairs = friendGraph(
      members.map((m) => m.accountId),
      Number(args.seed) + 7919,
    );
    const hasFriend = new Set(pairs.flat());
    for (let i = 0; i < pairs.length; i += 5000)
      await sim.send([{ op: "befriend", pairs: pairs.slice(i, i + 5000) }]);

    const tokenOf = new Map(members.map((m) => [m.accountId, m.token]));
    const psn = new PsnClient({
      apiBaseUrl: url,
      authBaseUrl: url,
      webBaseUrl: url,
      dmsBaseUrl: url,
      clientId: "bench",
      clientSecret: "bench",
      redirectUri: "bench://redirect",
      log: silentLogger(),
      now: () => clock,
      // As many sockets as members polled at once, or the sockets become the limit.
      connections: CONCURRENCY,
      // As the app does: every grant written to the database, so the cost is measured.
      budgetLedger: createBudgetLedger(db.db),
    });

    if (STRATEGIES.includes("batched")) {
      // The bot's state after running a while: every friend list read once (at link time),
      // the reads spread over the last refresh period so the refreshes in the run are steady.
      // These reads are set-up, not counted; the refreshes during the run are.
      const refresh = defaultFriendOptions.refreshMs;
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < members.length) {
            const m = members[next++]!;
            const friends = await psn.getFriends(staticToken(m.accountId, m.token));
            saveFriendList(db.db, m.accountId, friends, new Date(clock - random2() * refresh));
          }
        }),
      );
      await sim.send([{ op: "takeRequestCount" }, { op: "takeRequestsByAccount" }]);
    }

    const runPhase = async (strategy: PollStrategy, minutes: number): Promise<PhaseResult> => {
      const started = new Map<string, PartyEvent>();
      const detected = new Map<string, number>();
      // The simulated time a card would go out: the tick's start plus the real time the tick has run so far.
      let tickStartClock = 0;
      let tickT0 = 0;
      const sinkTime = () => tickStartClock + (performance.now() - tickT0);
      const poller = new Poller({
        db: db.db,
        psn,
        // The benchmark measures polling, not token decryption: tokens come from the sign-ins above.
        tokens: { provider: (accountId) => staticToken(accountId, tokenOf.get(accountId) ?? "") },
        sink: {
          apply: async ({ live }) => {
            const at = sinkTime();
            for (const p of live) if (!detected.has(p.sessionId)) detected.set(p.sessionId, at);
          },
        },
        log: silentLogger(),
        now,
        intervalSeconds: INTERVAL_MS / 1000,
        concurrency: CONCURRENCY,
        strategy,
      });
      for (const id of parties.keys()) detected.set(id, 0);
      await sim.send([{ op: "takeRequestCount" }, { op: "takeRequestsByAccount" }]);

      const end = clock + minutes * 60_000;
      const tickMs: number[] = [];
      const cpuMs: number[] = [];
      const requests: number[] = [];
      // Sampled during the ticks too, not only between them, so a peak inside a tick counts.
      let peakRss = process.memoryUsage().rss;
      let atPeak = process.memoryUsage();
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        if (m.rss > peakRss) {
          peakRss = m.rss;
          atPeak = m;
        }
      }, 25);
      while (clock < end) {
        const tickStart = clock;
        const cpu = process.cpuUsage();
        const t0 = performance.now();
        tickStartClock = tickStart;
        tickT0 = t0;
        await poller.tick();
        const elapsed = performance.now() - t0;
        const used = process.cpuUsage(cpu);
        tickMs.push(elapsed);
        cpuMs.push((used.user + used.system) / 1000);
        const [count] = (await sim.send([{ op: "takeRequestCount" }])) as [number];
        requests.push(count);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (tickMs.length % 10 === 0)
          process.stderr.write(
            `${strategy}: tick ${tickMs.length}, last ${Math.round(elapsed)} ms, ${count} requests\n`,
          );

        // What happens until the next tick, at random times within it.
        const step = Math.max(INTERVAL_MS, elapsed);
        const cmds: SimCommand[] = [];
        const starts: { host: Member; members: Member[]; ev: PartyEvent }[] = [];
        const onlineNow = members.filter((m) => m.online);
        const offlineNow = members.filter((m) => !m.online);
        const scale = step / 60_000;
        // Offline → online to keep the mix; online → offline after a session.
        const leaving = poissonish(onlineNow.length * (scale / SESSION_MIN));
        for (let i = 0; i < leaving; i++) {
          const m = pick(onlineNow);
          if (!m.online || m.party) continue;
          m.online = false;
          cmds.push({ op: "presence", accountId: m.accountId, online: false });
        }
        // Parties end after PARTY_MIN on average.
        for (const [sessionId, group] of parties) {
          if (random() < scale / PARTY_MIN) {
            parties.delete(sessionId);
            for (const a of group) byAccount.get(a)!.party = null;
            cmds.push({ op: "endParty", sessionId });
          }
        }
        // New parties: enough to keep IN_PARTY, half by members already online, half by members coming online.
        // At least one a minute on average, so a small run still measures detection.
        const partyStarts = poissonish(Math.max(((USERS * IN_PARTY) / 2.5) * (scale / PARTY_MIN), scale));
        for (let i = 0; i < partyStarts; i++) {
          const at = tickStart + random() * step;
          if (random() < 0.5) {
            const host = pick(onlineNow);
            // "Online" means the poller could know it: online for a few minutes already.
            if (!host.online || host.party || clock - host.onlineSince < 5 * 60_000) continue;
            const friend = onlineNow.find((f) => f.online && !f.party && f !== host);
            starts.push({
              host,
              members: friend ? [friend] : [],
              ev: { kind: "onlineMember", at, friend: hasFriend.has(host.accountId) },
            });
            host.party = "pending";
            if (friend) friend.party = "pending";
          } else {
            const host = pick(offlineNow);
            if (host.online) continue;
            host.online = true;
            host.onlineSince = at;
            cmds.push({ op: "presence", accountId: host.accountId, online: true });
            starts.push({
              host,
              members: [],
              ev: { kind: "comingOnline", at, friend: hasFriend.has(host.accountId) },
            });
            host.party = "pending";
          }
        }
        // Members coming online without a party, to balance those leaving.
        for (let i = 0; i < leaving - Math.floor(partyStarts / 2); i++) {
          const m = pick(offlineNow);
          if (m.online) continue;
          m.online = true;
          m.onlineSince = tickStart + random() * step;
          cmds.push({ op: "presence", accountId: m.accountId, online: true });
        }
        await sim.send(cmds);
        const startCmds: SimCommand[] = starts.map((s) => ({
          op: "startParty",
          host: s.host.accountId,
          members: s.members.map((m) => m.accountId),
        }));
        const ids = (await sim.send(startCmds)) as string[];
        ids.forEach((sessionId, i) => {
          const s = starts[i]!;
          const group = [s.host, ...s.members];
          parties.set(
            sessionId,
            group.map((g) => g.accountId),
          );
          for (const g of group) g.party = sessionId;
          started.set(sessionId, s.ev);
        });
        clock = tickStart + step;
      }
      clearInterval(sampler);
      const [budget] = (await sim.send([{ op: "takeRequestsByAccount" }])) as [
        {
          max: number;
          rateLimited: number;
          byEndpoint: Record<string, number>;
        },
      ];

      const delays = { onlineMember: [] as number[], comingOnline: [] as number[] };
      const split = {
        onlineMember: { with: [] as number[], without: [] as number[] },
        comingOnline: { with: [] as number[], without: [] as number[] },
      };
      // At a phase's start every member is on the start-up spread (as after a restart), not yet on
      // the every-tick schedule a linked friend gives: the steady state is measured apart too.
      const steadyFrom = end - minutes * 60_000 + WARMUP_MS;
      const comingOnlineSteady: number[] = [];
      let undetected = 0;
      for (const [sessionId, ev] of started) {
        const at = detected.get(sessionId);
        if (at === undefined || Number.isNaN(at)) {
          // Parties that ended before any tick saw them are not counted as misses.
          if (parties.has(sessionId) && ev.at < end - 150_000) undetected++;
          continue;
        }
        delays[ev.kind].push((at - ev.at) / 1000);
        split[ev.kind][ev.friend ? "with" : "without"].push((at - ev.at) / 1000);
        if (ev.kind === "comingOnline" && ev.friend && ev.at >= steadyFrom)
          comingOnlineSteady.push((at - ev.at) / 1000);
      }
      const ticks = tickMs.length;
      const totalRequests = requests.reduce((a, b) => a + b, 0);
      return {
        strategy,
        simulatedMinutes: round(minutes, 2) as number,
        ticks,
        psnRequestsPerMemberPerMinute: round(totalRequests / USERS / minutes, 3) as number,
        requestsPerTick: { mean: round(totalRequests / ticks) as number, max: Math.max(...requests) },
        tickMs: {
          p50: round(quantile(tickMs, 0.5)) as number,
          p95: round(quantile(tickMs, 0.95)) as number,
          max: round(Math.max(...tickMs)) as number,
        },
        detectionSec: {
          onlineMemberStartsParty: {
            ...detection(delays.onlineMember),
            withLinkedFriend: detection(split.onlineMember.with),
            withoutLinkedFriend: detection(split.onlineMember.without),
          },
          memberComesOnlineInParty: {
            ...detection(delays.comingOnline),
            withLinkedFriend: detection(split.comingOnline.with),
            withoutLinkedFriend: detection(split.comingOnline.without),
            withLinkedFriendAfterWarmup: detection(comingOnlineSteady),
          },
          undetectedAtEnd: undetected,
        },
        maxRequestsByOneAccount: budget.max,
        rateLimited: budget.rateLimited,
        requestsPerMemberPerMinuteByEndpoint: Object.fromEntries(
          Object.entries(budget.byEndpoint).map(([e, n]) => [e, round(n / USERS / minutes, 3) as number]),
        ),
        cpuMsPerTick: {
          mean: round(cpuMs.reduce((a, b) => a + b, 0) / ticks) as number,
          p95: round(quantile(cpuMs, 0.95)) as number,
        },
        peakRssMb: round(peakRss / 1024 / 1024) as number,
        processMaxRssMbSoFar: round(process.resourceUsage().maxRSS / 1024) as number,
        atPeakMb: {
          heapUsed: round(atPeak.heapUsed / 1024 / 1024) as number,
          heapTotal: round(atPeak.heapTotal / 1024 / 1024) as number,
          external: round(atPeak.external / 1024 / 1024) as number,
        },
      };
    };

    // The bot's strategy first, so `--strategies batched` alone measures the very same phase.
    const results: Partial<Record<PollStrategy, PhaseResult>> = {};
    for (const strategy of ["batched", "scheduled", "naive"] as const)
      if (STRATEGIES.includes(strategy))
        results[strategy] = await runPhase(strategy, strategy === "naive" ? NAIVE_MINUTES : MINUTES);
    await psn.close();
    db.close();
    process.stdout.write(
      `${JSON.stringify({
        measured:
          "real Poller + PsnClient over HTTP to the PSN simulator (separate process) with a real SQLite file, simulated clock; Discord not involved (no-op sink records first sighting; detection = event time → the moment the poller handed the party to the sink, i.e. when its card would be posted); requests counted by the simulator (presence, batch presence, friend lists, parties, share link, partyInfo; the friend lists read before the run, as at link time, are not counted, their refreshes during it are); CPU and RSS of the poller process only",
        params: {
          users: USERS,
          online: ONLINE,
          inParty: IN_PARTY,
          latencyMs: LATENCY_MS,
          intervalSec: INTERVAL_MS / 1000,
          concurrency: CONCURRENCY,
          seed: Number(args.seed),
          friends: FRIENDS,
          friendDegree: FRIEND_DEGREE,
          communitySize: COMMUNITY_SIZE,
        },
        friendGraph: {
          membersWithLinkedFriend: hasFriend.size,
          meanLinkedFriends: round((2 * pairs.length) / Math.max(1, hasFriend.size), 2),
        },
        ...results,
        peakRssMbProcess: round(process.resourceUsage().maxRSS / 1024),
        baselineRssMbBeforeWork: round(baselineRss / 1024 / 1024),
      })}\n`,
    );
  } finally {
    sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
