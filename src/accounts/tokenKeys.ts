/**
 * At start: are the stored PSN tokens readable with the configured keys? A changed
 * TOKEN_ENCRYPTION_KEY without TOKEN_ENCRYPTION_KEY_OLD would otherwise leave every
 * member "active" but failing every call, silently, forever. The bot refuses to start
 * instead, unless the operator names the lost key (TOKEN_ENCRYPTION_KEY_LOST): then
 * its members are asked to sign in again.
 */
import type { Store } from "../db/store.js";
import { listActiveTokens } from "../db/users.js";
import { keyIdOfStored } from "../vault.js";

export interface KeyUse {
  keyId: string;
  /** Members with at least one token under this key. */
  members: number;
}

export interface StoredTokens {
  psnAccountId: string;
  accessTokenEnc: string;
  refreshTokenEnc: string;
}

/** Which keys the stored tokens need; a value that is not a vault value counts as key "unreadable". */
export function keysInUse(rows: readonly StoredTokens[]): KeyUse[] {
  const members = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const value of [row.accessTokenEnc, row.refreshTokenEnc]) {
      const keyId = keyIdOfStored(value) ?? "unreadable";
      const set = members.get(keyId) ?? new Set<string>();
      set.add(row.psnAccountId);
      members.set(keyId, set);
    }
  }
  return [...members]
    .map(([keyId, set]) => ({ keyId, members: set.size }))
    .sort((a, b) => b.members - a.members);
}

export type KeyCheck = { ok: true; forget: string[] } | { ok: false; unknown: KeyUse[] };

/**
 * The decision: every key in use must be configured or declared lost. Members under a
 * lost key are to be forgotten (asked to sign in again); their accounts are listed.
 */
export function checkKeys(
  rows: readonly StoredTokens[],
  known: ReadonlySet<string>,
  lost: readonly string[],
): KeyCheck {
  const declaredLost = new Set(lost);
  const unknown = keysInUse(rows).filter((use) => !known.has(use.keyId) && !declaredLost.has(use.keyId));
  if (unknown.length > 0) return { ok: false, unknown };
  const forget = rows
    .filter((row) =>
      [row.accessTokenEnc, row.refreshTokenEnc].some((v) =>
        declaredLost.has(keyIdOfStored(v) ?? "unreadable"),
      ),
    )
    .map((row) => row.psnAccountId);
  return { ok: true, forget };
}

export class UnknownTokenKeyError extends Error {
  constructor(
    readonly unknown: KeyUse[],
    readonly currentKeyId: string,
    readonly hasOldKey: boolean,
  ) {
    const members = unknown.reduce((n, u) => n + u.members, 0);
    const keys = unknown
      .map((u) => `${u.keyId} (${u.members} member${u.members === 1 ? "" : "s"})`)
      .join(", ");
    super(
      `${members} linked member${members === 1 ? "'s" : "s'"} PSN tokens are encrypted with ` +
        `${unknown.length === 1 ? "a key" : "keys"} the bot does not have: ${keys}. ` +
        `TOKEN_ENCRYPTION_KEY is key ${currentKeyId}` +
        `${hasOldKey ? "; TOKEN_ENCRYPTION_KEY_OLD does not match either" : " and TOKEN_ENCRYPTION_KEY_OLD is not set"}. ` +
        "If you changed TOKEN_ENCRYPTION_KEY, set TOKEN_ENCRYPTION_KEY_OLD to the previous key: tokens are " +
        "re-encrypted with the new one as they are used. If the previous key is lost, set " +
        `TOKEN_ENCRYPTION_KEY_LOST=${unknown.map((u) => u.keyId).join(",")} and start again: those members ` +
        "are asked by DM to sign in again.",
    );
    this.name = "UnknownTokenKeyError";
  }
}

/** Reads the stored tokens and decides; throws UnknownTokenKeyError when the bot must not start. */
export async function verifyTokenKeys(
  db: Store,
  vault: { currentKeyId: string; knownKeyIds: ReadonlySet<string> },
  lost: readonly string[],
): Promise<{ forget: string[] }> {
  const result = checkKeys(await listActiveTokens(db), vault.knownKeyIds, lost);
  if (!result.ok)
    throw new UnknownTokenKeyError(result.unknown, vault.currentKeyId, vault.knownKeyIds.size > 1);
  return { forget: result.forget };
}
