/**
 * The bot's Prometheus metrics. One `Metrics` per app, built in the composition root
 * and passed down: tests start many apps in one process, and each must count only
 * its own events. Labels are small fixed sets (an endpoint name, a command name, an
 * outcome), never a user, server, party or account id.
 *
 * The gauges that describe what is stored (members by link state, open cards, paused
 * servers) are read from the database at scrape time through `readState`, so they can
 * never drift from the truth the way a hand-kept gauge can.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export const METRIC_PREFIX = "ppb_";

/** How a PSN round trip ended: an answer by status class, or no answer at all. */
export type PsnOutcome = "ok" | "4xx" | "429" | "5xx" | "timeout" | "network";

/** Whether a PSN call went out: the account's budget was used up past the longest wait, or the account is paused after a 429. */
export type PsnSkipReason = "budget" | "paused";

export type TokenRefreshOutcome = "ok" | "refused" | "failed";

/** What the card writer did in Discord; repost and replace are edits that found the message gone or frozen. */
/** delete: an ended card removed by `/config ended delete-after`. */
export type CardActionKind = "post" | "edit" | "end" | "repost" | "replace" | "delete";
/** ok; paused: Discord refused access and the server is paused; failed: anything else (retried next tick). */
export type CardActionResult = "ok" | "paused" | "failed";

export type InteractionKind = "command" | "button" | "autocomplete" | "other";
/** ok; refused: a UserError shown to the member; error: a bug or an upstream failure; unknown: no such handler. */
export type InteractionOutcome = "ok" | "refused" | "error" | "unknown";

/** What the stored state looks like now, read at scrape time. */
export interface StoredState {
  membersByLinkState: Record<string, number>;
  openCards: number;
  pausedServers: number;
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export class Metrics {
  readonly registry: Registry;
  /** What a scrape answers: this app's metrics plus the process's. */
  private readonly scraped: Registry;
  private readState: (() => Promise<StoredState>) | null = null;

  readonly pollTicks: Counter<"outcome">;
  readonly pollTickDuration: Histogram;
  readonly pollLastTickFinished: Gauge;
  readonly pollMembersDue: Counter;
  readonly pollMembersPolled: Counter<"outcome">;

  readonly psnRequests: Counter<"operation" | "outcome">;
  readonly psnRequestDuration: Histogram<"operation">;
  readonly psnBudgetWaits: Counter;
  readonly psnBudgetWaitSeconds: Counter;
  readonly psnCallsSkipped: Counter<"reason">;
  readonly psnRateLimitPauses: Counter;
  readonly psnTokenRefreshes: Counter<"outcome">;
  readonly psnTokensUndecryptable: Counter;

  readonly cardActions: Counter<"kind" | "result">;
  readonly interactions: Counter<"kind" | "command" | "outcome">;
  readonly linkAttempts: Counter<"outcome">;

  constructor() {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    const p = METRIC_PREFIX;

    this.pollTicks = new Counter({
      name: `${p}poll_ticks_total`,
      help: "Poll ticks run, by outcome (ok, failed)",
      labelNames: ["outcome"],
      registers,
    });
    this.pollTickDuration = new Histogram({
      name: `${p}poll_tick_duration_seconds`,
      help: "How long a poll tick took, from its start to the cards handed to the card writer",
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.pollLastTickFinished = new Gauge({
      name: `${p}poll_last_tick_finished_timestamp_seconds`,
      help: "When the last poll tick finished (Unix time, the bot's clock); 0 before the first",
      registers,
    });
    this.pollMembersDue = new Counter({
      name: `${p}poll_members_due_total`,
      help: "Members the schedule found due, summed over ticks",
      registers,
    });
    this.pollMembersPolled = new Counter({
      name: `${p}poll_members_polled_total`,
      help: "Members polled, by outcome (observed, unavailable, rateLimited, needsRelink)",
      labelNames: ["outcome"],
      registers,
    });

    this.psnRequests = new Counter({
      name: `${p}psn_requests_total`,
      help: "PSN HTTP round trips (retries included), by operation and outcome (ok, 4xx, 429, 5xx, timeout, network)",
      labelNames: ["operation", "outcome"],
      registers,
    });
    this.psnRequestDuration = new Histogram({
      name: `${p}psn_request_duration_seconds`,
      help: "PSN HTTP round-trip time, by operation",
      labelNames: ["operation"],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.psnBudgetWaits = new Counter({
      name: `${p}psn_budget_waits_total`,
      help: "PSN calls that waited for a slot in their account's request budget",
      registers,
    });
    this.psnBudgetWaitSeconds = new Counter({
      name: `${p}psn_budget_wait_seconds_total`,
      help: "Time PSN calls spent waiting for their account's request budget",
      registers,
    });
    this.psnCallsSkipped = new Counter({
      name: `${p}psn_calls_skipped_total`,
      help: "PSN calls not sent, by reason (budget: used up past the longest wait; paused: the account is paused after a 429)",
      labelNames: ["reason"],
      registers,
    });
    this.psnRateLimitPauses = new Counter({
      name: `${p}psn_rate_limit_pauses_total`,
      help: "Accounts paused because PSN answered 429",
      registers,
    });
    this.psnTokenRefreshes = new Counter({
      name: `${p}psn_token_refreshes_total`,
      help: "PSN token refreshes, by outcome (ok; refused: the member must link again; failed: PSN unreachable or erring)",
      labelNames: ["outcome"],
      registers,
    });
    this.psnTokensUndecryptable = new Counter({
      name: `${p}psn_tokens_undecryptable_total`,
      help: "Links whose stored PSN tokens no longer decrypt (damaged in the database, key unchanged): the member must link again",
      registers,
    });

    this.cardActions = new Counter({
      name: `${p}discord_card_actions_total`,
      help: "Party card writes to Discord, by kind (post, edit, end, repost, replace, delete) and result (ok, paused, failed)",
      labelNames: ["kind", "result"],
      registers,
    });
    this.interactions = new Counter({
      name: `${p}interactions_total`,
      help: "Discord interactions handled, by kind, command (or button family) and outcome (ok, refused, error, unknown)",
      labelNames: ["kind", "command", "outcome"],
      registers,
    });
    this.linkAttempts = new Counter({
      name: `${p}link_attempts_total`,
      help: "Sign-in attempts on the link page, by outcome (linked, input, refused, unavailable, taken, link_unusable)",
      labelNames: ["outcome"],
      registers,
    });

    // prom-client awaits an async collect: the gauges read through the store at each scrape.
    const state = async () => (this.readState ? await this.readState() : null);
    new Gauge({
      name: `${p}members`,
      help: "Linked members, by link state (active, needs_relink)",
      labelNames: ["link_state"],
      registers,
      async collect() {
        const now = await state();
        this.reset();
        if (!now) return;
        for (const [linkState, count] of Object.entries(now.membersByLinkState))
          this.set({ link_state: linkState }, count);
      },
    });
    new Gauge({
      name: `${p}open_cards`,
      help: "Party cards not ended yet (posting or live), across all servers",
      registers,
      async collect() {
        this.set((await state())?.openCards ?? 0);
      },
    });
    new Gauge({
      name: `${p}paused_servers`,
      help: "Servers whose party cards are paused because Discord refused access to the channel",
      registers,
      async collect() {
        this.set((await state())?.pausedServers ?? 0);
      },
    });

    this.scraped = Registry.merge([registry, processRegistry()]);
  }

  /** Where the stored-state gauges read from; the composition root hands in a reader over the store. */
  observeState(read: () => Promise<StoredState>): void {
    this.readState = read;
  }

  get contentType(): string {
    return this.scraped.contentType;
  }

  /** The Prometheus text exposition of this app's metrics and the process's. */
  scrape(): Promise<string> {
    return this.scraped.metrics();
  }
}

/** How a PSN answer's status counts in `ppb_psn_requests_total`. */
export function psnOutcomeOf(status: number): PsnOutcome {
  if (status === 429) return "429";
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  return "ok";
}

let processMetrics: Registry | undefined;

/**
 * Node's own metrics (CPU, memory, event loop lag, GC) describe the process, not an
 * app, so there is one set per process however many apps a test starts: each set
 * keeps a GC observer and an event-loop timer alive that nothing can remove.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    // Unprefixed (process_*, nodejs_*), the names the usual Node.js dashboards expect.
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
