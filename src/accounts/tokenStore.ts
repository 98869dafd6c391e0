/**
 * The PSN TokenManager's storage: the users table, tokens through the vault. Keys
 * are PSN account ids (the same keys the PSN request budget uses).
 */
import type { Store } from "../db/store.js";
import { findUserByAccountId, saveUserTokens } from "../db/users.js";
import type { Logger } from "../log.js";
import { type StoredTokens, type TokenStore, TokenUndecryptableError } from "../psn/tokens.js";
import type { TokenSet } from "../psn/types.js";
import { type Vault, VaultError } from "../vault.js";
import { decryptTokens, encryptTokens, needsReencryption } from "./tokenCrypto.js";

export function createTokenStore(deps: {
  db: Store;
  vault: Vault;
  log: Logger;
  now: () => Date;
}): TokenStore {
  const { db, vault, log, now } = deps;
  return {
    async load(accountId: string): Promise<StoredTokens | null> {
      const user = await findUserByAccountId(db, accountId);
      // A link waiting for a new sign-in has no usable tokens: nothing to refresh.
      if (!user) return null;
      if (user.linkState !== "active") return null;
      let tokens: TokenSet;
      try {
        tokens = decryptTokens(vault, accountId, user);
      } catch (err) {
        // Damaged or cut short in the database: no retry will read it, only a new sign-in helps.
        if (err instanceof VaultError)
          throw new TokenUndecryptableError(accountId, user.tokenGeneration, err.reason);
        throw err;
      }
      if (needsReencryption(vault, user)) {
        // Key rotation: move the value to the current key as soon as it is read.
        await saveUserTokens(
          db,
          accountId,
          encryptTokens(vault, accountId, tokens),
          user.tokenGeneration,
          now(),
        );
        log.info({ account: accountId }, "re-encrypted PSN tokens under the current key");
      }
      return { ...tokens, generation: user.tokenGeneration };
    },
    async save(accountId: string, tokens: TokenSet, generation: number): Promise<boolean> {
      return await saveUserTokens(db, accountId, encryptTokens(vault, accountId, tokens), generation, now());
    },
  };
}
