/**
 * A party's share link and public partyInfo, asked of PSN once per party and kept
 * by session id ("no link" is an answer too). Failures are retried a few times, a
 * few minutes apart, and never hold a card back: the card goes out without them.
 */
import type { PartyDetails } from "../domain/party.js";
import type { Logger } from "../log.js";
import type { TokenProvider } from "../psn/http.js";
import { shareIdOf } from "../psn/share.js";
import type { PartyInfo } from "../psn/types.js";

export interface ShareReads {
  getShareLink(auth: TokenProvider, sessionId: string): Promise<string | null>;
  getPartyInfo(shareId: string): Promise<PartyInfo | null>;
}

interface Entry {
  details: PartyDetails | null;
  failures: number;
  retryAt: number;
  lastUsed: number;
}

export interface PartyDetailsCacheOptions {
  retryAfterMs?: number;
  maxFailures?: number;
  /** Entries not asked for this long are dropped. */
  forgetAfterMs?: number;
}

export class PartyDetailsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly retryAfterMs: number;
  private readonly maxFailures: number;
  private readonly forgetAfterMs: number;

  constructor(
    private readonly psn: ShareReads,
    private readonly log: Logger,
    options: PartyDetailsCacheOptions = {},
  ) {
    this.retryAfterMs = options.retryAfterMs ?? 5 * 60_000;
    this.maxFailures = options.maxFailures ?? 3;
    this.forgetAfterMs = options.forgetAfterMs ?? 24 * 60 * 60_000;
  }

  /** Whether PSN should be asked about this party now. */
  wants(sessionId: string, now: number): boolean {
    const e = this.entries.get(sessionId);
    if (!e) return true;
    return e.details === null && e.failures < this.maxFailures && now >= e.retryAt;
  }

  /** Asks PSN with the token of a member in the party; returns what is known afterwards. */
  async fetch(sessionId: string, auth: TokenProvider, now: number): Promise<PartyDetails | null> {
    const entry = this.entries.get(sessionId) ?? { details: null, failures: 0, retryAt: 0, lastUsed: now };
    entry.lastUsed = now;
    this.entries.set(sessionId, entry);
    let shareUrl: string | null;
    try {
      shareUrl = await this.psn.getShareLink(auth, sessionId);
    } catch (err) {
      entry.failures++;
      entry.retryAt = now + this.retryAfterMs;
      this.log.warn(
        { sessionId, reason: messageOf(err) },
        "PSN share link unavailable; the card goes out without it",
      );
      return null;
    }
    let info: PartyInfo | null = null;
    const shareId = shareUrl ? shareIdOf(shareUrl) : null;
    if (shareId) {
      try {
        info = await this.psn.getPartyInfo(shareId);
      } catch (err) {
        // The link alone is worth showing; partyInfo only adds platforms and a picture.
        this.log.warn({ sessionId, reason: messageOf(err) }, "PSN partyInfo unavailable");
      }
    }
    entry.details = { shareUrl, info };
    return entry.details;
  }

  /** Known details of these parties, for the tracker. */
  known(sessionIds: Iterable<string>, now: number): Map<string, PartyDetails> {
    const out = new Map<string, PartyDetails>();
    for (const id of sessionIds) {
      const e = this.entries.get(id);
      if (!e) continue;
      e.lastUsed = now;
      if (e.details) out.set(id, e.details);
    }
    return out;
  }

  sweep(now: number): void {
    for (const [id, e] of this.entries) if (now - e.lastUsed > this.forgetAfterMs) this.entries.delete(id);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
