/**
 * The counts the soak and crash tools print, computed from what the simulators saw
 * (Discord's messages, PSN's request log and the parties the tool started), never
 * from the bot's own rows: a bot that believes it posted once is not proof.
 */

/** A message as the Discord simulator keeps it (MessageView's relevant part). */
export interface SeenMessage {
  id: string;
  channelId: string;
  authorId: string;
  deleted: boolean;
  components: unknown[];
}

/** A card: a bot message with a "Request invite" button naming the party. */
export interface SeenCard {
  messageId: string;
  channelId: string;
  sessionId: string;
  deleted: boolean;
  /** The card still offers its button: the party is shown as going on. */
  live: boolean;
}

/** A party as the tool ran it in the PSN simulator. */
export interface PartyLife {
  sessionId: string;
  accountIds: string[];
  /** Simulated ms; ended null while it still lives. */
  startedAt: number;
  endedAt: number | null;
}

/** [from, to] in simulated ms. */
export type Interval = readonly [number, number];

export interface CountInput {
  messages: SeenMessage[];
  botUserId: string;
  /** Messages the tool deleted by hand (their reposts are not duplicates). */
  deletedByHand: ReadonlySet<string>;
  parties: PartyLife[];
  /** The simulated time of every tick the bot ran. */
  ticks: number[];
  /** When an account could not be read: paused by a PSN rate limit, or its sign-in refused. */
  unreadable: ReadonlyMap<string, readonly Interval[]>;
  /** Parties that also could not be posted during these intervals (every channel unwritable); optional. */
  unpostable?: ReadonlyMap<string, readonly Interval[]>;
  /**
   * Message id → session id of every card the tool saw during the run. A card can lose its
   * Request-invite button later (a party the bot can no longer see); it is still that
   * party's card, announced and not live. Optional.
   */
  knownCards?: ReadonlyMap<string, string>;
  /**
   * Messages Discord refused to edit (30046). The bot replaces such a card (deletes it, posts
   * anew), so a deleted one's successor is no duplicate; one left undeleted beside it is. Optional.
   */
  editRefused?: ReadonlySet<string>;
}

export interface Counts {
  started: number;
  announced: number;
  missed: number;
  duplicated: number;
  liveForEnded: number;
  /** The missed parties' ids, to look into. */
  missedIds: string[];
}

const INVITE = /^invite:(.+)$/;

export function cardsOf(
  messages: SeenMessage[],
  botUserId: string,
  knownCards: ReadonlyMap<string, string> = new Map(),
): SeenCard[] {
  const cards: SeenCard[] = [];
  for (const m of messages) {
    if (m.authorId !== botUserId) continue;
    const button = inviteButton(m.components);
    const sessionId = button ? (INVITE.exec(button.custom_id)?.[1] ?? "") : knownCards.get(m.id);
    if (sessionId === undefined) continue;
    cards.push({
      messageId: m.id,
      channelId: m.channelId,
      sessionId,
      deleted: m.deleted,
      // Live only while it offers an enabled Request-invite button: a card that cannot see
      // its party any more, with the button disabled or gone, does not claim it goes on.
      live: !m.deleted && button !== null && button.disabled !== true,
    });
  }
  return cards;
}

/** The message's Request-invite button, enabled or not, or null. */
export function inviteButton(components: unknown[]): { custom_id: string; disabled?: boolean } | null {
  for (const row of components as { components?: { custom_id?: string; disabled?: boolean }[] }[])
    for (const c of row.components ?? [])
      if (typeof c.custom_id === "string" && INVITE.test(c.custom_id))
        return { custom_id: c.custom_id, ...(c.disabled === undefined ? {} : { disabled: c.disabled }) };
  return null;
}

const within = (t: number, intervals: readonly Interval[] | undefined) =>
  (intervals ?? []).some(([from, to]) => t >= from && t <= to);

/** The ticks during which the party lived and some member of it could be read (and posted). */
export function readableTicks(
  party: PartyLife,
  ticks: number[],
  unreadable: ReadonlyMap<string, readonly Interval[]>,
  unpostable?: ReadonlyMap<string, readonly Interval[]>,
): number {
  return ticks.filter(
    (t) =>
      t >= party.startedAt &&
      (party.endedAt === null || t < party.endedAt) &&
      party.accountIds.some((a) => !within(t, unreadable.get(a))) &&
      !within(t, unpostable?.get(party.sessionId)),
  ).length;
}

export function countSoak(input: CountInput): Counts {
  const cards = cardsOf(input.messages, input.botUserId, input.knownCards);
  const bySession = new Map<string, SeenCard[]>();
  for (const c of cards) bySession.set(c.sessionId, [...(bySession.get(c.sessionId) ?? []), c]);

  // Two cards for one party in one channel, unless the first was deleted by hand, or
  // replaced (and so deleted) after Discord refused to edit it.
  let duplicated = 0;
  const perChannel = new Map<string, number>();
  for (const c of cards) {
    if (input.deletedByHand.has(c.messageId)) continue;
    if (c.deleted && input.editRefused?.has(c.messageId)) continue;
    const key = `${c.channelId}/${c.sessionId}`;
    const n = (perChannel.get(key) ?? 0) + 1;
    perChannel.set(key, n);
    if (n > 1) duplicated++;
  }

  const missedIds: string[] = [];
  let liveForEnded = 0;
  for (const p of input.parties) {
    const mine = bySession.get(p.sessionId) ?? [];
    if (mine.length === 0 && readableTicks(p, input.ticks, input.unreadable, input.unpostable) >= 2)
      missedIds.push(p.sessionId);
    if (p.endedAt !== null) liveForEnded += mine.filter((c) => c.live).length;
  }
  return {
    started: input.parties.length,
    announced: input.parties.filter((p) => bySession.has(p.sessionId)).length,
    missed: missedIds.length,
    duplicated,
    liveForEnded,
    missedIds,
  };
}

/** The most calls any account made within any window of `windowMs` (a sliding window over the log). */
export function maxInWindow(requests: { accountId?: string; at: number }[], windowMs: number): number {
  const byAccount = new Map<string, number[]>();
  for (const r of requests) {
    if (r.accountId === undefined) continue;
    const list = byAccount.get(r.accountId) ?? [];
    list.push(r.at);
    byAccount.set(r.accountId, list);
  }
  let most = 0;
  for (const times of byAccount.values()) {
    times.sort((a, b) => a - b);
    let from = 0;
    for (let to = 0; to < times.length; to++) {
      while ((times[to] as number) - (times[from] as number) >= windowMs) from++;
      most = Math.max(most, to - from + 1);
    }
  }
  return most;
}

/**
 * From PSN's answers: each 429 pauses its account from that moment for `pauseMs` (the
 * next-available time the tool injected), so ticks in between could not read it. The
 * header names whole seconds, rounded up, and the bot rightly waits for that second.
 */
export function pausesFrom(
  requests: { accountId?: string; at: number; status: number }[],
  pauseMs: number,
): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  for (const r of requests) {
    if (r.status !== 429 || r.accountId === undefined) continue;
    const until = Math.ceil((r.at + pauseMs) / 1000) * 1000;
    out.set(r.accountId, [...(out.get(r.accountId) ?? []), [r.at, until]]);
  }
  return out;
}

/**
 * Requests per account per minute within [from, to), for each of `accountIds` (an account
 * that made none counts as zero): the most and the mean. How hard the bot leans on an
 * endpoint that keeps failing for those accounts.
 */
export function ratePerAccount(
  requests: { accountId?: string; at: number }[],
  accountIds: readonly string[],
  from: number,
  to: number,
): { max: number; mean: number } {
  const minutes = (to - from) / 60_000;
  if (accountIds.length === 0 || minutes <= 0) return { max: 0, mean: 0 };
  const counts = new Map(accountIds.map((a) => [a, 0]));
  for (const r of requests) {
    if (r.accountId === undefined || r.at < from || r.at >= to) continue;
    const n = counts.get(r.accountId);
    if (n !== undefined) counts.set(r.accountId, n + 1);
  }
  const rates = [...counts.values()].map((n) => n / minutes);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { max: round(Math.max(...rates)), mean: round(rates.reduce((a, b) => a + b, 0) / rates.length) };
}
