import type { EncryptedTokens } from "../db/users.js";
import type { TokenSet } from "../psn/types.js";
import type { Vault } from "../vault.js";

/**
 * Each token is bound to its account and role, so a ciphertext moved to another
 * row or column does not decrypt.
 */
const contextOf = (accountId: string, which: "access" | "refresh") => `psn:${accountId}:${which}`;

export function encryptTokens(vault: Vault, accountId: string, tokens: TokenSet): EncryptedTokens {
  return {
    accessTokenEnc: vault.encrypt(tokens.accessToken, contextOf(accountId, "access")),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenEnc: vault.encrypt(tokens.refreshToken, contextOf(accountId, "refresh")),
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
  };
}

export function decryptTokens(vault: Vault, accountId: string, stored: EncryptedTokens): TokenSet {
  return {
    accessToken: vault.decrypt(stored.accessTokenEnc, contextOf(accountId, "access")),
    accessTokenExpiresAt: stored.accessTokenExpiresAt,
    refreshToken: vault.decrypt(stored.refreshTokenEnc, contextOf(accountId, "refresh")),
    refreshTokenExpiresAt: stored.refreshTokenExpiresAt,
  };
}

export function needsReencryption(vault: Vault, stored: EncryptedTokens): boolean {
  return vault.needsReencryption(stored.accessTokenEnc) || vault.needsReencryption(stored.refreshTokenEnc);
}
