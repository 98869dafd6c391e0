/**
 * The crash run: the real bot as a child process (its own main, its own SQLite file),
 * against the Discord and PSN simulators in this process, SIGKILLed again and again:
 * at random moments, and at the exact moments around a card's Discord call, found by
 * holding that call at the simulator (before Discord saw the request, after it created
 * the message, after it applied an edit). Some restarts come after Discord's nonce
 * window. Counted from the simulators. Used by `npm run crash` and test/soak/crash.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BOT_TOKEN, freePort, linkButtonUrl, psnEnv, testEnv } from "../sim/botEnv.js";
import { NONCE_WINDOW_MS, startDiscordSim } from "../sim/discord/server.js";
import { prng } from "../sim/prng.js";
import { startPsnSim } from "../sim/psn/server.js";
import { updateGuild } from "../src/db/guilds.js";
import { openStore } from "../src/db/store.js";
import { countUsersByLinkState } from "../src/db/users.js";
import { cardsOf, countSoak, type PartyLife } from "./soakCount.js";

export type KillMoment = "random" | "beforePost" | "afterCreate" | "afterEdit" | "afterEnd";

export interface CrashOptions {
  cycles: number;
  /** How the bot is started: its command and arguments (cwd is a temporary directory). */
  command: { file: string; args: string[] };
  seed?: number;
  members?: number;
  /** Every n-th restart comes after Discord's nonce window (0: never). */
  nonceWindowEvery?: number;
  progress?: (line: string) => void;
}

export interface CrashResult {
  params: { cycles: number; members: number; seed: number };
  kills: Record<KillMoment, number>;
  /** Kills at an exact moment that did not come (the bot made no such call in time). */
  momentsNotReached: number;
  restartsAfterNonceWindow: number;
  partiesStarted: number;
  announced: number;
  duplicated: number;
  /** Parties alive at the end, seen by the bot for several polls, without a card. */
  lost: number;
  liveForEnded: number;
  /** Members linked before the run who are not linked (or need to sign in again) after it. */
  lostLinks: number;
  realSeconds: number;
}

const POLL_SECONDS = 5;
const MOMENTS: KillMoment[] = ["beforePost", "afterCreate", "afterEdit", "afterEnd", "random"];

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const seed = options.seed ?? 42;
  const random = prng(seed);
  const say = options.progress ?? (() => {});
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "ppb-crash-"));
  const discord = await startDiscordSim({ botToken: BOT_TOKEN });
  const psn = await startPsnSim({});
  let child: ChildProcess | null = null;
  try {
    const owner = discord.createUser({ username: "owner" });
    const guild = discord.createGuild({ name: "Crash", ownerId: owner.id });
    const channel = discord.createChannel(guild.id, { name: "parties" });
    const dbPath = join(dir, "bot.sqlite");
    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const env = {
      ...testEnv(discord.apiUrl, discord.applicationId, dbPath),
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "silent",
      PUBLIC_BASE_URL: webUrl,
      WEB_PORT: String(webPort),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...psnEnv(psn),
      POLL_INTERVAL: String(POLL_SECONDS),
    };
    // The server's party channel is set before the first start, as /config channel would.
    const setup = await openStore(dbPath);
    await updateGuild(setup, guild.id, { channelId: channel.id });
    await setup.close();

    const start = async () => {
      const proc = spawn(options.command.file, options.command.args, {
        cwd: dir,
        env,
        stdio: ["ignore", "ignore", "inherit"],
      });
      child = proc;
      const deadline = Date.now() + 30_000;
      while (discord.connectedClients === 0) {
        if (proc.exitCode !== null) throw new Error(`the bot exited with ${proc.exitCode}`);
        if (Date.now() > deadline) throw new Error("the bot did not connect within 30 s");
        await sleep(20);
      }
      // The first start registers the commands after it connects.
      const has = (list: unknown[]) => list.some((c) => (c as { name?: string }).name === "link");
      while (!has(discord.commands()) && !has(discord.commands({ guildId: guild.id }))) {
        if (Date.now() > deadline) throw new Error("the bot registered no commands within 30 s");
        await sleep(20);
      }
    };
    const kill = async () => {
      const proc = child;
      if (!proc) return;
      child = null;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await exited;
      // Discord notices the dead connection; the next process identifies anew.
      await discord.waitForNoClients(10_000).catch(() => undefined);
    };

    await start();
    const members: { userId: string; accountId: string; party: string | null }[] = [];
    for (let i = 0; i < (options.members ?? 6); i++) {
      const user = discord.createUser({ username: `crash${i}` });
      discord.addMember(guild.id, user.id);
      const account = psn.createAccount({ onlineId: `crash_${i}` });
      const handle = discord.runSlashCommand({ guildId: guild.id, userId: user.id, name: "link" });
      await handle.response();
      const dm = await discord.waitForDm(user.id);
      const page = await fetch(linkButtonUrl(dm.components), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ npsso: account.npsso }),
      }).then((r) => r.text());
      if (!page.includes(`Linked as ${account.onlineId}`)) throw new Error("linking failed");
      psn.setPresence(account.accountId, { online: true, platform: "PS5", game: { name: "Crash Game" } });
      members.push({ userId: user.id, accountId: account.accountId, party: null });
    }

    const parties = new Map<string, PartyLife>();
    const startParty = () => {
      const free = members.filter((m) => m.party === null);
      const host = free[Math.floor(random() * free.length)];
      if (!host) return null;
      const sessionId = psn.startParty(host.accountId, { joinability: "open" });
      host.party = sessionId;
      parties.set(sessionId, {
        sessionId,
        accountIds: [host.accountId],
        startedAt: Date.now(),
        endedAt: null,
      });
      return sessionId;
    };
    const liveParties = () => [...parties.values()].filter((p) => p.endedAt === null);
    const endParty = (p: PartyLife) => {
      psn.endParty(p.sessionId);
      p.endedAt = Date.now();
      for (const m of members) if (m.party === p.sessionId) m.party = null;
    };
    const joinParty = (p: PartyLife) => {
      const m = members.find((x) => x.party === null);
      if (!m) return false;
      psn.joinParty(p.sessionId, m.accountId);
      m.party = p.sessionId;
      p.accountIds.push(m.accountId);
      return true;
    };
    const liveCardOf = (sessionId: string) =>
      cardsOf(discord.channelMessages(channel.id), discord.botUser.id).find(
        (c) => c.sessionId === sessionId && c.live,
      );

    const kills: Record<KillMoment, number> = {
      random: 0,
      beforePost: 0,
      afterCreate: 0,
      afterEdit: 0,
      afterEnd: 0,
    };
    let notReached = 0;
    let afterWindow = 0;
    const cardPath = new RegExp(`^/channels/${channel.id}/messages$`);
    const editPath = new RegExp(`^/channels/${channel.id}/messages/\\d+$`);

    for (let cycle = 0; cycle < options.cycles; cycle++) {
      if (!child) await start();
      const moment = MOMENTS[cycle % MOMENTS.length] as KillMoment;
      kills[moment]++;
      say(`cycle ${cycle + 1}/${options.cycles}: ${moment}`);
      if (moment === "random") {
        if (random() < 0.5) startParty();
        const live = liveParties();
        if (live.length > 0 && random() < 0.5)
          endParty(live[Math.floor(random() * live.length)] as PartyLife);
        await sleep(random() * POLL_SECONDS * 1500);
        await kill();
      } else {
        let held: ReturnType<typeof discord.hold>;
        if (moment === "beforePost" || moment === "afterCreate") {
          held = discord.hold({ method: "POST", path: cardPath });
          if (!startParty()) endParty(liveParties()[0] as PartyLife);
        } else {
          // A party with a live card, so the bot's next call about it is an edit.
          let target = liveParties().find((p) => liveCardOf(p.sessionId));
          if (!target) {
            const id = startParty() ?? liveParties()[0]?.sessionId;
            await waitFor(() => (id ? liveCardOf(id) : undefined), POLL_SECONDS * 4000);
            target = id ? parties.get(id) : undefined;
          }
          held = discord.hold({ method: "PATCH", path: editPath });
          if (target && moment === "afterEdit" && !joinParty(target)) endParty(target);
          else if (target) endParty(target);
        }
        const arrived = await Promise.race([
          held.arrived.then(() => true),
          sleep(POLL_SECONDS * 4000).then(() => false),
        ]);
        if (!arrived) notReached++;
        await kill();
        // Discord carries out (or never saw) the request the bot died waiting on.
        held.release(moment === "beforePost" ? "drop" : "handle");
      }
      if (options.nonceWindowEvery && (cycle + 1) % options.nonceWindowEvery === 0) {
        // The bot stays down past Discord's nonce window: its rows age, Discord's clock moves.
        const db = new Database(dbPath);
        db.prepare("update cards set updated_at = updated_at - ?").run(NONCE_WINDOW_MS + 60_000);
        db.close();
        discord.advanceClock(NONCE_WINDOW_MS + 60_000);
        afterWindow++;
      }
    }

    // The last start: it runs undisturbed until every card matches PSN.
    if (!child) await start();
    const settled = () =>
      [...parties.values()].every((p) =>
        p.endedAt === null ? liveCardOf(p.sessionId) : !liveCardOf(p.sessionId),
      );
    await waitFor(() => settled() || undefined, POLL_SECONDS * 8000);
    await kill();

    const counts = countSoak({
      messages: discord.allChannelMessages(channel.id),
      botUserId: discord.botUser.id,
      deletedByHand: new Set(),
      parties: [...parties.values()],
      ticks: [],
      unreadable: new Map(),
    });
    const store = await openStore(dbPath);
    const linked = { n: (await countUsersByLinkState(store)).active ?? 0 };
    await store.close();
    return {
      params: { cycles: options.cycles, members: members.length, seed },
      kills,
      momentsNotReached: notReached,
      restartsAfterNonceWindow: afterWindow,
      partiesStarted: counts.started,
      announced: counts.announced,
      duplicated: counts.duplicated,
      lost: liveParties().filter((p) => !liveCardOf(p.sessionId)).length,
      liveForEnded: counts.liveForEnded,
      lostLinks: members.length - linked.n,
      realSeconds: Math.round((performance.now() - t0) / 1000),
    };
  } finally {
    const proc: ChildProcess | null = child;
    if (proc) (proc as ChildProcess).kill("SIGKILL");
    await discord.stop();
    await psn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls a condition the tool has no event for (another process's progress), up to `ms`. */
async function waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined || Date.now() > deadline) return v;
    await sleep(50);
  }
}
