/**
 * One-time sign-in links: the decisions about them, free of I/O. The database
 * keeps only the SHA-256 of a token, so a leaked database cannot be used to link.
 */
import { createHash, randomBytes } from "node:crypto";

export const LINK_TOKEN_TTL_MS = 10 * 60_000;
export const MAX_LINK_ATTEMPTS = 5;

export function generateLinkToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** 32 bytes in base64url are 43 characters; anything else is not ours. */
export function looksLikeLinkToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function linkUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/link/${token}`;
}

export type LinkTokenState = "usable" | "unknown" | "expired" | "used" | "spent";

export interface LinkTokenFacts {
  expiresAt: Date;
  usedAt: Date | null;
  attempts: number;
}

/** What a link token allows right now. "spent": the attempt limit was reached. */
export function linkTokenState(
  row: LinkTokenFacts | undefined,
  now: Date,
  maxAttempts = MAX_LINK_ATTEMPTS,
): LinkTokenState {
  if (!row) return "unknown";
  if (row.usedAt) return "used";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  if (row.attempts >= maxAttempts) return "spent";
  return "usable";
}
