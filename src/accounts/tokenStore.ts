/**
 * The PSN TokenManager's storage: the users table, tokens through the vault. Keys
 * are PSN account ids (the same keys the PSN request budget uses).
 */
import type { Db } from "../db/client.js";
import { findUserByAccountId, saveUserTokens } from "../db/users.js";
import type { Logger } from "../log.js";
import type { StoredTokens, TokenStore } from "../psn/tokens.js";
import type { TokenSet } from "../psn/types.js";
import type { Vault } from "../vault.js";
import { decryptTokens, encryptTokens, needsReencryption } from "./tokenCrypto.js";

export function createTokenStore(deps: { db: Db; vault: Vault; log: Logger; now: () => Date }): TokenStore {
  const { db, vault, log, now } = deps;
  return {
    load(accountId: string): StoredTokens | null {
      const user = findUserByAccountId(db, accountId);
      // A link waiting for a new sign-in has no usable tokens: nothing to refresh.
      if (!user) return null;
      if (user.linkState !== "active") return null;
      const tokens = decryptTokens(vault, accountId, user);
      if (needsReencryption(vault, user)) {
        // Key rotation: move the value to the current key as soon as it is read.
        saveUserTokens(db, accountId, encryptTokens(vault, accountId, tokens), user.tokenGeneration, now());
        log.info({ account: accountId }, "re-encrypted PSN tokens under the current key");
      }
      return { ...tokens, generation: user.tokenGeneration };
    },
    save(accountId: string, tokens: TokenSet, generation: number): boolean {
      return saveUserTokens(db, accountId, encryptTokens(vault, accountId, tokens), generation, now());
    },
  };
}
