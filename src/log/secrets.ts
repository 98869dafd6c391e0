/**
 * The secrets the process holds or has just sent, by value, so the log can scrub them
 * wherever they appear: a pattern finds `npsso=…` but not a bare refresh token an error
 * page quoted back, nor one URL-encoded or base64-encoded on the way. Every token, NPSSO
 * and code the process uses passes through a few places (the config, the PSN HTTP layer,
 * the token manager), which register it here.
 */

/** Shorter values are not registered: scrubbing them would blank ordinary words and ids. */
export const MIN_SECRET_LENGTH = 8;
/** Characters of a value's end the index is keyed by; JWTs share their first ones, never their last. */
const TAIL = MIN_SECRET_LENGTH;

export interface SecretRegistryOptions {
  /** Passing values kept at most; past it the least recently used is forgotten. */
  capacity?: number;
  /** A passing value is forgotten this long after it was last registered. */
  ttlMs?: number;
  now?: () => number;
}

/** What a value looks like in the text of a log line: as is and in the encodings it travels in. */
export function secretForms(value: string): string[] {
  const forms = new Set([
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString("base64"),
    Buffer.from(value).toString("base64url"),
  ]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export class SecretRegistry {
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Passing values, least recently registered first, with when each is forgotten. */
  private readonly passing = new Map<string, number>();
  private readonly held = new Set<string>();
  /** Each form of each value, under its last TAIL characters: one lookup per position of a scanned text. */
  private readonly byTail = new Map<string, Set<string>>();

  constructor(options: SecretRegistryOptions = {}) {
    this.capacity = options.capacity ?? 4096;
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** For the life of the process: the configuration's secrets. */
  hold(...values: Array<string | null | undefined>): void {
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH || this.held.has(value)) continue;
      this.passing.delete(value);
      this.held.add(value);
      this.index(value);
    }
  }

  /** For a while: a token, NPSSO or code the process has just received, decrypted or sent. */
  remember(...values: Array<string | null | undefined>): void {
    const now = this.now();
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH || this.held.has(value)) continue;
      const known = this.passing.delete(value);
      this.passing.set(value, now + this.ttlMs);
      if (!known) this.index(value);
    }
    this.forgetOld(now);
  }

  get size(): number {
    return this.held.size + this.passing.size;
  }

  /** `text` with every form of every registered value replaced by `[Redacted]`. */
  scrub(text: string): string {
    if (text.length < MIN_SECRET_LENGTH || this.byTail.size === 0) return text;
    let out = "";
    let copied = 0;
    // Found matches end at `end`; the earliest start among them wins, so a longer form
    // (the URL-encoded one) is cut whole rather than leaving its tail.
    for (let end = TAIL; end <= text.length; end++) {
      const forms = this.byTail.get(text.slice(end - TAIL, end));
      if (!forms) continue;
      let start = -1;
      for (const form of forms) {
        const at = end - form.length;
        if (at >= copied && (start === -1 || at < start) && text.startsWith(form, at)) start = at;
      }
      if (start === -1) continue;
      out += `${text.slice(copied, start)}[Redacted]`;
      copied = end;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  private forgetOld(now: number): void {
    for (const [value, until] of this.passing) {
      if (until > now && this.passing.size <= this.capacity) break;
      this.passing.delete(value);
      this.unindex(value);
    }
  }

  private index(value: string): void {
    for (const form of secretForms(value)) {
      const tail = form.slice(-TAIL);
      let forms = this.byTail.get(tail);
      if (!forms) {
        forms = new Set();
        this.byTail.set(tail, forms);
      }
      forms.add(form);
    }
  }

  private unindex(value: string): void {
    for (const form of secretForms(value)) {
      const tail = form.slice(-TAIL);
      const forms = this.byTail.get(tail);
      forms?.delete(form);
      if (forms?.size === 0) this.byTail.delete(tail);
    }
  }
}

/** The registry of a logger that scrubs nothing by value (a silent one): registering is a no-op. */
export class NoSecrets extends SecretRegistry {
  override hold(): void {}
  override remember(): void {}
}
