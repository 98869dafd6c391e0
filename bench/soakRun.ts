/**
 * The fault soak: the real app (startApp: discord.js, undici, SQLite) in a child process
 * (bench/soakBot.ts, so its memory is measured alone) against the Discord and PSN
 * simulators in this process, on an accelerated clock (each tick is one
 * poll interval of simulated time, run as fast as the machine allows), with faults on
 * both sides. Counted from the simulators (see soakCount.ts). Used by `npm run soak`
 * and, small, by test/soak/soak.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { BOT_TOKEN, freePort, linkButtonUrl, psnEnv, testEnv } from "../sim/botEnv.js";
import { type FaultHandle, type SimUser, startDiscordSim } from "../sim/discord/server.js";
import { prng } from "../sim/prng.js";
import { type SimEndpoint, startPsnSim } from "../sim/psn/server.js";
import { forkBot } from "./soakBotCommands.js";
import {
  cardsOf,
  countSoak,
  type Interval,
  inviteButton,
  maxInWindow,
  type PartyLife,
  pausesFrom,
  ratePerAccount,
} from "./soakCount.js";

export interface SoakOptions {
  users: number;
  guilds: number;
  minutes: number;
  seed?: number;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

export interface SoakResult {
  params: { users: number; guilds: number; minutes: number; seed: number };
  partiesStarted: number;
  announced: number;
  missed: number;
  duplicated: number;
  liveForEnded: number;
  invitationsServed: number;
  unhandledErrors: number;
  maxSpentInBudgetWindow: number;
  budget: number;
  psnRequestsPerMemberPerMinute: number;
  /** Batch presence reads made with a linked friend's token (the friends path ran). */
  batchPresenceReads: number;
  /** Why the cards counted live for ended parties are: an edit refused with 30046, a whole party re-linking, else. */
  liveForEndedCauses: { editRefused: number; partyRelinking: number; other: number };
  /** Cards whose edits Discord refused with 30046 for a while, and the refusals it answered. */
  editRefusedCards: number;
  editRefusals: number;
  /** Parties all of whose members had to sign in again at once. */
  wholePartyRelinks: number;
  /**
   * Ticks at which such a party's card still offered an enabled Request-invite button,
   * counted from the second tick after the refusal until the members signed in again,
   * summed over its cards: a card the bot can no longer vouch for, shown as going on.
   */
  liveCardTicksWhileRelinking: number;
  /** The same, for parties a member of which PSN had paused (429) since: the bot could not read them. */
  liveCardTicksWhileRelinkingPaused: number;
  /**
   * Friend-list requests per minute by each account whose reads failed during the friends
   * outage (404, 503 or 429), over the outage: the most and the mean.
   */
  friendReadsPerAccountDuringOutage: { max: number; mean: number; accounts: number; minutes: number };
  rssMbAtMinute5: number | null;
  rssMbAtEnd: number;
  rssGrowthPct: number | null;
  ticks: number;
  realSeconds: number;
}

const TICK_MS = 30_000;
/** The "long" next-available time of an injected PSN 429. */
const PAUSE_MS = 5 * 60_000;
const PARTY_MIN = 8;
const BUDGET = 300;
const BUDGET_WINDOW_MS = 15 * 60_000;
/** A single member's refused refresh: they sign in again this much later. */
const RELINK_AFTER_MS = 3 * 60_000;
/** A whole party's refused refreshes: longer, so its card has time to show what the bot does. */
const PARTY_RELINK_AFTER_MS = 5 * 60_000;
/** Edits of a card refused with 30046 for this long, then accepted again. */
const EDIT_REFUSAL_MS = 4 * 60_000;
/** The friends outage: from the first faulty tick (when the lists are first read), this many ticks. */
const OUTAGE_TICKS = 10;
/** Discord's answer to an edit past its limit on messages older than an hour. */
const EDIT_LIMIT = {
  status: 400,
  code: 30046,
  message: "Maximum number of edits to messages older than 1 hour reached. Try again later",
} as const;
const PSN_ENDPOINTS: SimEndpoint[] = [
  "presences",
  "presence",
  "parties",
  "share",
  "partyInfo",
  "invite",
  "token",
  "friends",
];

interface Member {
  user: SimUser;
  accountId: string;
  onlineId: string;
  npsso: string;
  guildIds: string[];
  party: string | null;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const seed = options.seed ?? 42;
  const random = prng(seed);
  const say = options.progress ?? (() => {});
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const t0 = performance.now();

  let unhandled = 0;
  const onUnhandled = (err: unknown) => {
    unhandled++;
    say(`unhandled: ${String(err)}`);
  };
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUnhandled);

  let clock = Date.now();
  const cleanup: Array<() => unknown> = [];
  try {
    const dir = mkdtempSync(join(tmpdir(), "ppb-soak-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const discord = await startDiscordSim({ botToken: BOT_TOKEN });
    cleanup.push(() => discord.stop());
    // Short-lived access tokens, so refreshes happen all through the run.
    const psn = await startPsnSim({ now: () => clock, random: prng(seed + 1), accessTokenTtlSec: 600 });
    cleanup.push(() => psn.close());
    // The servers exist before the bot logs in, so they arrive with READY.
    const channels: { guildId: string; channelId: string; ownerId: string }[] = [];
    for (let g = 0; g < options.guilds; g++) {
      const owner = discord.createUser({ username: `owner${g}` });
      const guild = discord.createGuild({ name: `Soak ${g}`, ownerId: owner.id });
      const channel = discord.createChannel(guild.id, { name: "parties" });
      channels.push({ guildId: guild.id, channelId: channel.id, ownerId: guild.ownerId });
    }
    const home = channels[0]!.guildId;

    const webPort = await freePort();
    const bot = forkBot();
    cleanup.push(() => bot.close({ op: "stop" }));
    await bot.ready;
    await bot.send({
      op: "start",
      clock,
      env: {
        ...testEnv(discord.apiUrl, discord.applicationId, join(dir, "bot.sqlite")),
        PUBLIC_BASE_URL: `http://127.0.0.1:${webPort}`,
        WEB_PORT: String(webPort),
        ...psnEnv(psn),
        PSN_TIMEOUT_MS: "500",
        PSN_BUDGET_REQUESTS: String(BUDGET),
      },
    });
    for (const c of channels) await bot.send({ op: "channel", guildId: c.guildId, channelId: c.channelId });

    // Members link through the real flow (/link, the DM's button, the NPSSO form).
    const link = async (user: SimUser, npsso: string, onlineId: string) => {
      const seen = new Set(discord.dmMessages(user.id).map((m) => m.id));
      await discord.runSlashCommand({ guildId: home, userId: user.id, name: "link" }).response();
      const dm = await discord.waitForDm(user.id, (m) => !seen.has(m.id));
      const answer = await fetch(linkButtonUrl(dm.components), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ npsso }),
      });
      const page = await answer.text();
      if (!page.includes(`Linked as ${onlineId}`)) throw new Error(`linking failed: ${answer.status}`);
    };
    const members: Member[] = [];
    for (let i = 0; i < options.users; i++) {
      const user = discord.createUser({ username: `soak${i}` });
      discord.addMember(home, user.id);
      const account = psn.createAccount({ onlineId: `soak_${i}` });
      await link(user, account.npsso, account.onlineId);
      // Each member is announced in one to three servers.
      const guildIds = new Set([pick(channels).guildId]);
      if (random() < 0.5) guildIds.add(pick(channels).guildId);
      if (random() < 0.2) guildIds.add(pick(channels).guildId);
      for (const g of guildIds) {
        if (g !== home) discord.addMember(g, user.id);
        await bot.send({ op: "optIn", guildId: g, userId: user.id });
      }
      // The link announced them in the server they linked from; only the chosen servers count.
      if (!guildIds.has(home)) await bot.send({ op: "optOut", guildId: home, userId: user.id });
      psn.setPresence(account.accountId, { online: true, platform: "PS5", game: { name: "Soak Game" } });
      members.push({ ...account, user, guildIds: [...guildIds], party: null });
      if ((i + 1) % 100 === 0) say(`linked ${i + 1}/${options.users}`);
    }
    // PSN friendships inside communities of 12, as among the members of a Discord
    // community: most members have a few linked friends, whose batch presence reads
    // then cover them (the friend lists are read over the first ticks).
    for (let i = 0; i < members.length; i++) {
      if (random() >= 0.7) continue;
      const base = i - (i % 12);
      for (let f = 0; f < 3; f++) {
        const j = base + Math.floor(random() * 12);
        if (j !== i && j < members.length) psn.befriend(members[i]!.accountId, members[j]!.accountId);
      }
    }
    psn.resetRequests();

    const parties = new Map<string, PartyLife>();
    const ticks: number[] = [];
    const unreadable = new Map<string, Interval[]>();
    const unpostable = new Map<string, Interval[]>();
    const deletedByHand = new Set<string>();
    const denied = new Map<string, number>(); // channelId → restore at (ms)
    const revoked = new Map<Member, { at: number; relinkAt: number }>();
    // Cards whose edits Discord refuses (30046) for now, and every card it ever refused.
    const editRefused = new Map<string, { handle: FaultHandle; until: number }>();
    const editRefusedEver = new Set<string>();
    const relinkingParties = new Set<string>();
    // Session → when all its members' refreshes were refused, while none has signed in again.
    const relinkingNow = new Map<string, number>();
    // Ticks a live card of a party whose members all had to sign in again still offered an
    // invitation, with when the refusal happened: judged once PSN's pauses are known.
    const relinkLive: { sessionId: string; at: number; clock: number; cards: number }[] = [];
    // Message id → session id of every card seen: one whose button is gone is still its party's.
    const knownCards = new Map<string, string>();
    const noteCards = () => {
      for (const c of channels)
        for (const card of cardsOf(discord.channelMessages(c.channelId), discord.botUser.id))
          knownCards.set(card.messageId, card.sessionId);
    };
    // The friends outage: a fifth of the members' list reads answer 404, others 503 or 429.
    const outage = new Map<string, "404" | "503" | "429">();
    for (const m of members) {
      const r = random();
      if (r < 0.2) outage.set(m.accountId, "404");
      else if (r < 0.35) outage.set(m.accountId, "503");
      else if (r < 0.45) outage.set(m.accountId, "429");
    }
    const outageTicks = Math.min(OUTAGE_TICKS, Math.round((options.minutes * 60_000) / TICK_MS));
    const outageFrom = clock + TICK_MS;
    const outageTo = outageFrom + outageTicks * TICK_MS;
    const cardsNow = () =>
      channels.flatMap((c) =>
        discord
          .channelMessages(c.channelId)
          .filter((m) => m.authorId === discord.botUser.id)
          .map((m) => ({ m, button: findInvite(m.components) }))
          .filter((x) => x.button !== null),
      );

    const rateLimited = () => ({
      "retry-after": String(PAUSE_MS / 1000),
      "x-ratelimit-next-available": String(Math.ceil((clock + PAUSE_MS) / 1000)),
    });
    const armFaults = () => {
      psn.clearFaults();
      // First, so they answer every list read of those accounts while the outage lasts.
      if (clock >= outageFrom && clock < outageTo) {
        for (const [accountId, kind] of outage) {
          const status = Number(kind);
          psn.fault("friends", {
            status,
            accountId,
            times: Number.POSITIVE_INFINITY,
            ...(status === 429 ? { headers: rateLimited() } : {}),
          });
        }
      }
      for (const e of PSN_ENDPOINTS) {
        psn.fault(e, { status: 503, rate: 0.1, times: Number.POSITIVE_INFINITY });
        psn.fault(e, {
          status: 429,
          rate: 0.02,
          times: Number.POSITIVE_INFINITY,
          headers: rateLimited(),
        });
        psn.fault(e, { malformedJson: true, rate: 0.01, times: Number.POSITIVE_INFINITY });
        psn.fault(e, { delayMs: 700, rate: 0.01, times: Number.POSITIVE_INFINITY });
      }
    };
    // On the party channels only: the DMs of linking are not what is soaked here.
    const messages = new RegExp(
      `^/channels/(${channels.map((c) => c.channelId).join("|")})/messages(/\\d+)?$`,
    );
    discord.fault({ path: messages, method: "POST" }, { status: 429, retryAfter: 0.05, rate: 0.03 });
    discord.fault({ path: messages, method: "PATCH" }, { status: 429, retryAfter: 0.05, rate: 0.03 });
    discord.fault({ path: messages }, { status: 502, rate: 0.03 });
    discord.fault({ path: messages, method: "POST" }, { status: 500, rate: 0.03, afterHandling: true });

    const faultTicks = Math.round((options.minutes * 60_000) / TICK_MS);
    // Once faults clear: long enough for every injected pause to run out, and a few ticks more.
    const calmTicks = Math.ceil(PAUSE_MS / TICK_MS) + 4;
    let rss5: number | null = null;
    const botId = discord.botUser.id;
    const botRss = async () => (await bot.send<NodeJS.MemoryUsage>({ op: "memory" })).rss;

    for (let k = 0; k < faultTicks + calmTicks; k++) {
      const faulty = k < faultTicks;
      const last = k >= faultTicks + calmTicks - 2;
      clock += TICK_MS;
      discord.advanceClock(TICK_MS);
      await bot.send({ op: "clock", clock });

      if (!last) {
        // Parties end after PARTY_MIN on average; new ones keep about a quarter of the members in one.
        for (const p of parties.values()) {
          if (p.endedAt === null && random() < TICK_MS / 60_000 / PARTY_MIN) {
            psn.endParty(p.sessionId);
            p.endedAt = clock;
            for (const a of p.accountIds) {
              const m = members.find((x) => x.accountId === a);
              if (m) m.party = null;
            }
          }
        }
        const free = members.filter((m) => m.party === null);
        const starts = Math.max(1, Math.round((members.length / 4 / 2) * (TICK_MS / 60_000 / PARTY_MIN)));
        for (let s = 0; s < starts && free.length > 0; s++) {
          const group = [free.splice(Math.floor(random() * free.length), 1)[0] as Member];
          if (free.length > 0 && random() < 0.6)
            group.push(free.splice(Math.floor(random() * free.length), 1)[0] as Member);
          const sessionId = psn.startParty(group[0]!.accountId, { joinability: "open" });
          for (const g of group.slice(1)) psn.joinParty(sessionId, g.accountId);
          for (const g of group) g.party = sessionId;
          parties.set(sessionId, {
            sessionId,
            accountIds: group.map((g) => g.accountId),
            startedAt: clock,
            endedAt: null,
          });
        }
      }

      if (faulty) {
        armFaults();
        // Cards deleted by hand.
        const live = cardsNow();
        if (live.length > 0 && random() < 0.3) {
          const { m } = pick(live);
          deletedByHand.add(m.id);
          discord.deleteMessageByHand(m.channelId, m.id);
        }
        // A channel loses Send Messages for two minutes now and then.
        if (k % 12 === 3) {
          const c = pick(channels);
          discord.setChannelOverwrite(c.channelId, {
            id: botId,
            type: "member",
            deny: PermissionFlagsBits.SendMessages,
          });
          denied.set(c.channelId, clock + 2 * 60_000);
        }
        if (k % 8 === 5) discord.dropGateway();
        if (k % 14 === 7) psn.expireAccessTokens();
        // A refresh refused now and then: the member signs in again three minutes later.
        if (k % 10 === 2) {
          const m = pick(members);
          if (!revoked.has(m)) {
            psn.revokeRefreshToken(m.accountId);
            revoked.set(m, { at: clock, relinkAt: clock + RELINK_AFTER_MS });
          }
        }
        // Now and then every member of one live party must sign in again, all at once, with
        // their access tokens expired so the next read needs the refresh PSN refuses.
        if (k % 10 === 6) {
          const inParty = (a: string) => members.find((x) => x.accountId === a);
          const candidates = [...parties.values()].filter(
            (p) =>
              p.endedAt === null &&
              p.accountIds.every((a) => {
                const m = inParty(a);
                return m !== undefined && !revoked.has(m);
              }),
          );
          if (candidates.length > 0) {
            const p = pick(candidates);
            relinkingParties.add(p.sessionId);
            relinkingNow.set(p.sessionId, clock);
            for (const a of p.accountIds) {
              psn.revokeRefreshToken(a);
              psn.expireAccessTokens(a);
              revoked.set(inParty(a) as Member, { at: clock, relinkAt: clock + PARTY_RELINK_AFTER_MS });
            }
          }
        }
        // Now and then Discord refuses edits of a few live cards (30046) for some minutes;
        // deleting them still works, as on Discord.
        for (const [messageId, { handle, until }] of editRefused) {
          if (clock < until) continue;
          discord.clearFault(handle);
          editRefused.delete(messageId);
        }
        if (k % 6 === 1) {
          const live = cardsNow().filter((x) => !editRefused.has(x.m.id));
          for (let n = 0; n < 3 && live.length > 0; n++) {
            const { m } = live.splice(Math.floor(random() * live.length), 1)[0]!;
            const handle = discord.fault(
              { method: "PATCH", path: `/channels/${m.channelId}/messages/${m.id}` },
              { ...EDIT_LIMIT, times: Number.POSITIVE_INFINITY },
            );
            editRefused.set(m.id, { handle, until: clock + EDIT_REFUSAL_MS });
            editRefusedEver.add(m.id);
          }
        }
      } else if (k === faultTicks) {
        psn.clearFaults();
        discord.clearFaults();
        editRefused.clear();
      }
      for (const [channelId, until] of denied) {
        if (clock >= until || !faulty) {
          discord.setChannelOverwrite(channelId, { id: botId, type: "member", deny: 0n });
          // As the README says to: the owner runs /config check, which resumes paused cards.
          const c = channels.find((x) => x.channelId === channelId);
          if (c) {
            await discord
              .runSlashCommand({ guildId: c.guildId, userId: c.ownerId, name: "config", subcommand: "check" })
              .response();
          }
          denied.delete(channelId);
        }
      }
      for (const [m, { at, relinkAt }] of revoked) {
        if (clock >= relinkAt || !faulty) {
          // Signing in is not what is soaked here: PSN answers it cleanly.
          psn.clearFaults();
          // Refused while the account is still paused by PSN's 429: the member tries again next tick.
          const ok = await link(m.user, m.npsso, m.onlineId).then(
            () => true,
            () => false,
          );
          if (faulty) armFaults();
          if (!ok) continue;
          unreadable.set(m.accountId, [...(unreadable.get(m.accountId) ?? []), [at, clock]]);
          revoked.delete(m);
          for (const [sessionId] of relinkingNow)
            if (parties.get(sessionId)?.accountIds.includes(m.accountId)) relinkingNow.delete(sessionId);
        }
      }
      // A party none of whose servers can be posted in this tick could not get a card in it.
      const deniedGuilds = new Set(channels.filter((c) => denied.has(c.channelId)).map((c) => c.guildId));
      for (const p of parties.values()) {
        if (p.endedAt !== null) continue;
        const guildsOf = new Set(
          p.accountIds.flatMap((a) => members.find((m) => m.accountId === a)?.guildIds ?? []),
        );
        if ([...guildsOf].every((g) => deniedGuilds.has(g)))
          unpostable.set(p.sessionId, [...(unpostable.get(p.sessionId) ?? []), [clock, clock]]);
      }
      for (const [m, { at }] of revoked)
        unreadable.set(m.accountId, [...(unreadable.get(m.accountId) ?? []), [at, clock]]);

      ticks.push(clock);
      try {
        await bot.send({ op: "tick", clock });
      } catch (err) {
        onUnhandled(err);
      }

      noteCards();
      // Members ask for invitations from live cards.
      const live = cardsNow();
      // Two ticks after the refusal the bot has tried its refreshes; its card should not
      // still offer an invitation it cannot vouch for.
      for (const [sessionId, at] of relinkingNow) {
        const cards = live.filter((x) => x.button === `invite:${sessionId}`).length;
        if (clock >= at + 2 * TICK_MS && cards > 0) relinkLive.push({ sessionId, at, clock, cards });
      }
      if (live.length > 0 && random() < 0.5) {
        const { m, button } = pick(live);
        const guildId = channels.find((c) => c.channelId === m.channelId)?.guildId ?? "";
        const askers = members.filter((x) => x.guildIds.includes(guildId) && x.party === null);
        const asker = askers.length > 0 ? pick(askers) : pick(members);
        try {
          const handle = discord.clickButton({
            channelId: m.channelId,
            messageId: m.id,
            customId: button as string,
            userId: asker.user.id,
          });
          // Answered before the clock moves on: Discord gives an interaction three seconds.
          await handle.response().catch((err: unknown) => say(`invite click: ${String(err)}`));
        } catch {
          // The card went between reading and clicking.
        }
      }
      if (k === Math.round((5 * 60_000) / TICK_MS) - 1) rss5 = await botRss();
      if ((k + 1) % 10 === 0) say(`tick ${k + 1}/${faultTicks + calmTicks}, ${parties.size} parties`);
    }

    const psnLog = psn.requests().map((r) => ({ ...r, at: r.at.getTime() }));
    const pauses = pausesFrom(psnLog, PAUSE_MS);
    for (const [a, spans] of pauses) unreadable.set(a, [...(unreadable.get(a) ?? []), ...spans]);
    // A member PSN paused (429) since the refusal could not be read, so the bot could not
    // learn that they must sign in again: those ticks are counted apart.
    const pausedSince = (sessionId: string, from: number, to: number) =>
      (parties.get(sessionId)?.accountIds ?? []).some((a) =>
        (pauses.get(a) ?? []).some(([f, t]) => f <= to && t >= from),
      );
    let liveCardTicksWhileRelinking = 0;
    let liveCardTicksWhileRelinkingPaused = 0;
    for (const r of relinkLive) {
      if (pausedSince(r.sessionId, r.at, r.clock)) liveCardTicksWhileRelinkingPaused += r.cards;
      else {
        liveCardTicksWhileRelinking += r.cards;
        say(`live while relinking: ${r.sessionId} ${(r.clock - r.at) / 1000} s after, ${r.cards} card(s)`);
      }
    }
    noteCards();
    const finalMessages = channels.flatMap((c) => discord.allChannelMessages(c.channelId));
    const counts = countSoak({
      messages: finalMessages,
      botUserId: botId,
      deletedByHand,
      parties: [...parties.values()],
      ticks,
      unreadable,
      unpostable,
      knownCards,
      editRefused: editRefusedEver,
    });
    const causes = { editRefused: 0, partyRelinking: 0, other: 0 };
    for (const card of cardsOf(finalMessages, botId, knownCards)) {
      if (!card.live || parties.get(card.sessionId)?.endedAt == null) continue;
      if (editRefusedEver.has(card.messageId)) causes.editRefused++;
      else if (relinkingParties.has(card.sessionId)) causes.partyRelinking++;
      else causes.other++;
      say(`live for ended: ${card.sessionId} in ${card.channelId} (${card.messageId})`);
    }
    const outageAccounts = [...outage.keys()];
    const friendReads = ratePerAccount(
      psnLog.filter((r) => r.endpoint === "friends"),
      outageAccounts,
      outageFrom,
      outageTo,
    );
    for (const id of counts.missedIds) {
      const p = parties.get(id);
      say(
        `missed ${id}: ${JSON.stringify({ ...p, ticks: ticks.filter((t) => p && t >= p.startedAt && (p.endedAt === null || t < p.endedAt)).length })}`,
      );
      for (const a of p?.accountIds ?? []) {
        const rel = (t: number) => (t - p!.startedAt) / 1000;
        say(
          `  ${a}: ${JSON.stringify(psnLog.filter((r) => r.accountId === a).map((r) => [r.endpoint, r.status, rel(r.at)]))}`,
        );
        say(
          `  ${a} unreadable: ${JSON.stringify((unreadable.get(a) ?? []).map(([f, t]) => [rel(f), rel(t)]))}`,
        );
      }
    }
    const rssEnd = await botRss();
    for (const err of await bot.send<string[]>({ op: "takeUnhandled" })) onUnhandled(`in the bot: ${err}`);
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    const simulatedMinutes = ticks.length * (TICK_MS / 60_000);
    return {
      params: { users: options.users, guilds: options.guilds, minutes: options.minutes, seed },
      partiesStarted: counts.started,
      announced: counts.announced,
      missed: counts.missed,
      duplicated: counts.duplicated,
      liveForEnded: counts.liveForEnded,
      invitationsServed: psn.invitations().length,
      unhandledErrors: unhandled,
      maxSpentInBudgetWindow: maxInWindow(
        psnLog.filter((r) => r.status !== 429),
        BUDGET_WINDOW_MS,
      ),
      budget: BUDGET,
      psnRequestsPerMemberPerMinute:
        Math.round((psnLog.length / options.users / simulatedMinutes) * 1000) / 1000,
      batchPresenceReads: psnLog.filter((r) => r.endpoint === "presences" && r.status === 200).length,
      liveForEndedCauses: causes,
      editRefusedCards: editRefusedEver.size,
      editRefusals: discord
        .requests()
        .filter((r) => r.method === "PATCH" && r.status === 400 && messages.test(r.path)).length,
      wholePartyRelinks: relinkingParties.size,
      liveCardTicksWhileRelinking,
      liveCardTicksWhileRelinkingPaused,
      friendReadsPerAccountDuringOutage: {
        ...friendReads,
        accounts: outageAccounts.length,
        minutes: (outageTo - outageFrom) / 60_000,
      },
      rssMbAtMinute5: rss5 === null ? null : mb(rss5),
      rssMbAtEnd: mb(rssEnd),
      rssGrowthPct: rss5 === null ? null : Math.round(((rssEnd - rss5) / rss5) * 1000) / 10,
      ticks: ticks.length,
      realSeconds: Math.round((performance.now() - t0) / 1000),
    };
  } finally {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
    for (const step of cleanup.splice(0).reverse()) await step();
  }
}

function findInvite(components: unknown[]): string | null {
  const button = inviteButton(components);
  return button && button.disabled !== true ? button.custom_id : null;
}
