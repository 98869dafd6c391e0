/**
 * Per-account request budget: at most `requests` calls in any `windowMs` sliding
 * window (PSN is said to allow about 300 per 15 minutes, and bans accounts that
 * burst past it). A 429 pauses the account until the time PSN gave. With a ledger,
 * both survive a restart: PSN counts across our restarts, so must we.
 */

/**
 * Where the budget keeps what each account spent (the database, in the app). A grant's
 * record is awaited before the grant is given, so its request goes out after it: a crash
 * between the two over-counts one request rather than forgetting it.
 */
export interface BudgetLedger {
  /** Grants after `since` (epoch ms), oldest first, and pauses lasting past `now`. */
  restore(
    since: number,
    now: number,
  ): Promise<{ spent: Array<{ key: string; at: number }>; pauses: Array<{ key: string; until: number }> }>;
  spent(key: string, at: number): Promise<void>;
  paused(key: string, until: number): Promise<void>;
  /** Forgets grants at or before `before` (outside any window now) and pauses over by then. */
  forget(before: number): Promise<void>;
}

export interface BudgetOptions {
  requests?: number;
  windowMs?: number;
  now?: () => number;
  /** Restored from at construction (see `ready`), written on every grant and pause. */
  ledger?: BudgetLedger;
  /**
   * Kept past the window's end before a request leaves it: our clock and PSN's differ, and
   * a request is stamped here before PSN sees it. Default 1% of the window (9 s of 15 min).
   */
  marginMs?: number;
  /** Injectable so tests with a fake clock can advance it instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

interface KeyState {
  /** Start times of the calls inside the window, oldest first. */
  stamps: number[];
  pausedUntil: number;
  /** Acquisitions queued and not yet granted. */
  pending: number;
  /** Tail of the FIFO of pending acquisitions, so waiters are served in order. */
  tail: Promise<void> | null;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RequestBudget {
  readonly requests: number;
  readonly windowMs: number;
  readonly marginMs: number;
  /**
   * How long a grant counts: the window and the margin, both edges included. PSN counts a
   * request at exactly one window's distance as inside it (a stand-in refused the 21st of
   * 20 requests that came 119.99 s apart in a 120 s window).
   */
  private readonly spanMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly keys = new Map<string, KeyState>();
  private readonly ledger: BudgetLedger | undefined;
  private acquisitions = 0;
  /**
   * Settles once what the ledger kept is restored; rejects when it could not be read.
   * Grants wait for it; the composition root awaits it so a ledger that cannot be read
   * stops the start, and the budget's other answers are right from then on.
   */
  readonly ready: Promise<void>;
  private restored: boolean;

  constructor(options: BudgetOptions = {}) {
    this.requests = options.requests ?? 300;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    if (!(this.requests >= 1) || !(this.windowMs > 0))
      throw new RangeError("budget needs requests >= 1 and windowMs > 0");
    this.marginMs = options.marginMs ?? Math.ceil(this.windowMs / 100);
    if (!(this.marginMs >= 0)) throw new RangeError("budget needs marginMs >= 0");
    this.spanMs = this.windowMs + this.marginMs;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.ledger = options.ledger;
    this.restored = !this.ledger;
    this.ready = this.ledger ? this.restore(this.ledger) : Promise.resolve();
    // Observed by every grant and by whoever awaits `ready`; never an unhandled rejection here.
    this.ready.catch(() => {});
  }

  /** Waits until the key may make one more call, then counts it. */
  acquire(key: string): Promise<void> {
    const state = this.state(key);
    const previous = state.tail ?? Promise.resolve();
    state.pending++;
    // Taken after the previous waiter either way: one whose grant the ledger could not
    // record fails alone, and those behind it still get their turn.
    const take = () => this.take(key, state);
    const mine = previous.then(take, take).finally(() => state.pending--);
    state.tail = mine;
    const clear = () => {
      if (state.tail === mine) state.tail = null;
    };
    mine.then(clear, clear);
    // Housekeeping: rows a failed forget leaves behind are outside every window (restore
    // never reads them) and go with the next sweep.
    if (++this.acquisitions % 256 === 0) this.sweep().catch(() => {});
    return mine;
  }

  /** Calls the key may still make right now. */
  remaining(key: string): number {
    const state = this.keys.get(key);
    if (!state) return this.requests;
    const now = this.now();
    if (state.pausedUntil > now) return 0;
    this.prune(state, now);
    return this.requests - state.stamps.length;
  }

  /** When a new call for the key would be granted, counting the calls already queued. */
  nextFreeAt(key: string): Date {
    const now = this.now();
    const state = this.keys.get(key);
    if (!state) return new Date(now);
    this.prune(state, now);
    const start = Math.max(now, state.pausedUntil);
    const times = [...state.stamps];
    let next = start;
    for (let i = 0; i <= state.pending; i++) {
      next =
        times.length < this.requests
          ? start
          : Math.max(start, this.freedAt(times[times.length - this.requests]!));
      times.push(next);
    }
    return new Date(next);
  }

  /** Pauses the key until `until` (in force at once), and records the pause in the ledger. */
  async pause(key: string, until: Date): Promise<void> {
    const state = this.state(key);
    state.pausedUntil = Math.max(state.pausedUntil, until.getTime());
    await this.ledger?.paused(key, state.pausedUntil);
  }

  /** The end of a pause in force, or null. */
  pausedUntil(key: string): Date | null {
    const state = this.keys.get(key);
    if (!state || state.pausedUntil <= this.now()) return null;
    return new Date(state.pausedUntil);
  }

  /** Number of keys holding state; for tests of the memory bound. */
  get size(): number {
    return this.keys.size;
  }

  /** Drops keys with nothing in their window, no pause and no waiter; the ledger forgets what left every window. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [key, state] of this.keys) {
      this.prune(state, now);
      if (state.stamps.length === 0 && state.pausedUntil <= now && state.pending === 0 && state.tail === null)
        this.keys.delete(key);
    }
    await this.ledger?.forget(now - this.spanMs - 1);
  }

  private async take(key: string, state: KeyState): Promise<void> {
    if (!this.restored) await this.ready;
    for (;;) {
      const now = this.now();
      this.prune(state, now);
      const wait = Math.max(
        state.pausedUntil - now,
        state.stamps.length < this.requests ? 0 : this.freedAt(state.stamps[0]!) - now,
      );
      if (wait <= 0) {
        // Recorded before it is granted: the request goes out after its record.
        if (this.ledger) await this.ledger.spent(key, now);
        state.stamps.push(now);
        // A sweep may have dropped the state while we waited; put it back.
        if (this.keys.get(key) !== state) this.keys.set(key, state);
        return;
      }
      await this.sleep(wait);
    }
  }

  private async restore(ledger: BudgetLedger): Promise<void> {
    const now = this.now();
    const { spent, pauses } = await ledger.restore(now - this.spanMs - 1, now);
    for (const { key, at } of spent) this.state(key).stamps.push(at);
    for (const { key, until } of pauses) {
      const state = this.state(key);
      state.pausedUntil = Math.max(state.pausedUntil, until);
    }
    this.restored = true;
  }

  /** The first moment a grant at `stamp` no longer counts. */
  private freedAt(stamp: number): number {
    return stamp + this.spanMs + 1;
  }

  private prune(state: KeyState, now: number): void {
    let drop = 0;
    while (drop < state.stamps.length && now >= this.freedAt(state.stamps[drop]!)) drop++;
    if (drop > 0) state.stamps.splice(0, drop);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { stamps: [], pausedUntil: 0, pending: 0, tail: null };
      this.keys.set(key, state);
    }
    return state;
  }
}
