import { randomBytes } from "node:crypto";

/**
 * A kept message's nonce, as Discord sees it on the create call: with `enforce_nonce`, a
 * repeat returns the first message instead of posting twice. Discord allows 25 characters.
 */
export function newNonce(): string {
  return randomBytes(12).toString("base64url");
}
