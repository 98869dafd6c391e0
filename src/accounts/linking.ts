/**
 * Linking a Discord member to a PSN account: issuing one-time links, checking
 * them, and completing the sign-in (NPSSO paste or OAuth code). The NPSSO and the
 * code live only in this call's memory: never stored, never logged.
 */
import { claimAttempt, findLinkToken, type LinkTokenRow, replaceLinkToken } from "../db/linkTokens.js";
import { linkWithToken } from "../db/members.js";
import type { Store } from "../db/store.js";
import { findUserByAccountId } from "../db/users.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { NpssoSource } from "../psn/auth.js";
import type { SignIn } from "../psn/client.js";
import { isPsnError, PsnAuthError, PsnRateLimitedError } from "../psn/errors.js";
import type { Vault } from "../vault.js";
import type { MemberNotifier } from "./memberNotifier.js";
import { type NpssoProblem, parseNpssoInput } from "./npsso.js";
import {
  generateLinkToken,
  hashLinkToken,
  LINK_TOKEN_TTL_MS,
  type LinkTokenState,
  linkTokenState,
  linkUrl,
  looksLikeLinkToken,
  MAX_LINK_ATTEMPTS,
} from "./oneTimeLink.js";
import { encryptTokens } from "./tokenCrypto.js";

/** The part of the PSN client sign-in needs. */
export interface PsnSignIn {
  signInWithNpsso(npsso: string): Promise<SignIn>;
  signInWithCode(code: string): Promise<SignIn>;
  authorizeUrl(state: string): string;
  /** Where members get an NPSSO for this sign-in (the NPSSO page's instructions). */
  npssoSource(): NpssoSource;
}

export interface LinkingDeps {
  db: Store;
  vault: Vault;
  psn: PsnSignIn;
  log: Logger;
  now: () => Date;
  publicBaseUrl: string;
  notifier: MemberNotifier;
  /** Counts sign-in attempts by outcome. */
  metrics?: Metrics;
}

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

/** A fresh one-time link for the member; their earlier unused links stop working. */
export async function issueLink(
  deps: LinkingDeps,
  discordUserId: string,
  guildId: string | null,
): Promise<IssuedLink> {
  const token = generateLinkToken();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + LINK_TOKEN_TTL_MS);
  await replaceLinkToken(
    deps.db,
    { tokenHash: hashLinkToken(token), discordUserId, guildId, expiresAt },
    now,
  );
  return { url: linkUrl(deps.publicBaseUrl, token), expiresAt };
}

export interface LinkInspection {
  state: LinkTokenState;
  discordUserId: string | null;
  attemptsLeft: number;
}

async function findRow(deps: LinkingDeps, token: string): Promise<LinkTokenRow | undefined> {
  return looksLikeLinkToken(token) ? await findLinkToken(deps.db, hashLinkToken(token)) : undefined;
}

export async function inspectLink(deps: LinkingDeps, token: string): Promise<LinkInspection> {
  const row = await findRow(deps, token);
  const state = linkTokenState(row, deps.now());
  return {
    state,
    discordUserId: row?.discordUserId ?? null,
    attemptsLeft: row ? Math.max(0, MAX_LINK_ATTEMPTS - row.attempts) : 0,
  };
}

export type SignInOutcome =
  | { ok: true; onlineId: string; accountId: string; discordUserId: string }
  /** The link cannot be used (any more): run /link again. */
  | { ok: false; reason: "link"; state: Exclude<LinkTokenState, "usable"> }
  /** The pasted text is not an NPSSO; no attempt was counted. */
  | { ok: false; reason: "input"; problem: NpssoProblem; attemptsLeft: number }
  /** PSN refused the NPSSO or the code. */
  | { ok: false; reason: "refused"; attemptsLeft: number }
  /** PSN is down or rate limiting: try again in a minute. */
  | { ok: false; reason: "unavailable"; attemptsLeft: number }
  /** The PSN account is already linked to another Discord user. */
  | { ok: false; reason: "taken"; attemptsLeft: number };

type Exchange = (psn: PsnSignIn) => Promise<SignIn>;

export async function signInWithNpsso(
  deps: LinkingDeps,
  token: string,
  input: unknown,
): Promise<SignInOutcome> {
  return counted(deps, await npssoAttempt(deps, token, input));
}

async function npssoAttempt(deps: LinkingDeps, token: string, input: unknown): Promise<SignInOutcome> {
  const inspection = await inspectLink(deps, token);
  if (inspection.state !== "usable") return { ok: false, reason: "link", state: inspection.state };
  const parsed = parseNpssoInput(input);
  if (!parsed.ok) {
    return { ok: false, reason: "input", problem: parsed.problem, attemptsLeft: inspection.attemptsLeft };
  }
  return complete(deps, token, (psn) => psn.signInWithNpsso(parsed.npsso));
}

/** The OAuth callback, once the web server matched the state to this browser and its link token. */
export async function signInWithCode(deps: LinkingDeps, token: string, code: string): Promise<SignInOutcome> {
  return counted(deps, await complete(deps, token, (psn) => psn.signInWithCode(code)));
}

function counted(deps: LinkingDeps, outcome: SignInOutcome): SignInOutcome {
  deps.metrics?.linkAttempts.inc({
    outcome: outcome.ok ? "linked" : outcome.reason === "link" ? "link_unusable" : outcome.reason,
  });
  return outcome;
}

async function complete(deps: LinkingDeps, token: string, exchange: Exchange): Promise<SignInOutcome> {
  const { db, log } = deps;
  const tokenHash = looksLikeLinkToken(token) ? hashLinkToken(token) : null;
  const claimed = tokenHash ? await claimAttempt(db, tokenHash, MAX_LINK_ATTEMPTS, deps.now()) : undefined;
  if (!claimed || !tokenHash) {
    const state = linkTokenState(tokenHash ? await findLinkToken(db, tokenHash) : undefined, deps.now());
    return { ok: false, reason: "link", state: state === "usable" ? "spent" : state };
  }
  const attemptsLeft = Math.max(0, MAX_LINK_ATTEMPTS - claimed.attempts);
  const linkLog = log.child({ discordUserId: claimed.discordUserId });

  let signIn: SignIn;
  try {
    signIn = await exchange(deps.psn);
  } catch (err) {
    if (err instanceof PsnAuthError && (err.reason === "invalid_npsso" || err.reason === "invalid_code")) {
      linkLog.info({ attemptsLeft }, "PSN refused the sign-in");
      return { ok: false, reason: "refused", attemptsLeft };
    }
    if (err instanceof PsnRateLimitedError) linkLog.warn({ err }, "PSN rate limited the sign-in");
    else if (isPsnError(err)) linkLog.warn({ err }, "PSN sign-in failed");
    else linkLog.error({ err }, "sign-in failed");
    return { ok: false, reason: "unavailable", attemptsLeft };
  }

  const { accountId, profile, tokens } = signIn;
  const owner = await findUserByAccountId(db, accountId);
  if (owner && owner.discordUserId !== claimed.discordUserId) {
    linkLog.info("PSN account already linked to another Discord user");
    return { ok: false, reason: "taken", attemptsLeft };
  }

  const now = deps.now();
  const won = await linkWithToken(
    db,
    tokenHash,
    {
      discordUserId: claimed.discordUserId,
      psnAccountId: accountId,
      psnOnlineId: profile.onlineId,
      ...encryptTokens(deps.vault, accountId, tokens),
    },
    claimed.guildId,
    now,
  );
  if (!won) return { ok: false, reason: "link", state: "used" };
  linkLog.info({ account: accountId }, "PSN account linked");

  await deps.notifier
    .dm(claimed.discordUserId, {
      content:
        `Your PlayStation account **${profile.onlineId}** is now linked.` +
        (claimed.guildId ? " Your parties will be announced in the server where you ran /link." : "") +
        " Use /me to see your link, /unlink to remove it.",
    })
    .catch((err: unknown) => linkLog.warn({ err }, "could not DM the link confirmation"));

  return { ok: true, onlineId: profile.onlineId, accountId, discordUserId: claimed.discordUserId };
}
