/**
 * The simulated PSN's state: accounts, sign-ins, tokens, presences, parties and
 * invitations, with the control methods tests use to stage a scene. No HTTP here.
 */
import { createHmac, randomBytes, randomInt, randomUUID } from "node:crypto";

export interface SimAccount {
  accountId: string;
  onlineId: string;
  npsso: string;
  presence: SimPresence;
}

export interface SimPresence {
  online: boolean;
  platform: string;
  game: { titleId?: string; name: string; iconUrl?: string } | null;
  status: string | null;
  lastOnlineAt: Date;
}

export interface PresenceInput {
  online: boolean;
  platform?: string;
  game?: { titleId?: string; name: string; iconUrl?: string } | null;
  status?: string | null;
}

export type SimJoinability = "open" | "request" | "invite";

export interface SimParty {
  sessionId: string;
  name: string;
  hostAccountId: string;
  members: string[];
  joinability: SimJoinability;
  maxMembers: number;
  shareId: string | null;
  startedAt: Date;
}

export interface PartyInput {
  joinability: SimJoinability;
  maxMembers?: number;
  name?: string;
  /** Whether PSN has a share link for it (default true). */
  share?: boolean;
}

export interface SimInvitation {
  sessionId: string;
  from: string;
  to: string;
  at: Date;
}

interface TokenRecord {
  accountId: string;
  expiresAt: number;
}

interface CodeRecord {
  accountId: string;
  redirectUri: string;
  expiresAt: number;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomString(length: number, alphabet = ALNUM): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export interface WorldOptions {
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  clientId: string;
  scope: string;
  now: () => number;
}

export class SimWorld {
  readonly accounts = new Map<string, SimAccount>();
  readonly parties = new Map<string, SimParty>();
  readonly invitationLog: SimInvitation[] = [];
  /** PSN friendships: symmetric, as on PSN (a friend request accepted links both ways). */
  private readonly friendships = new Map<string, Set<string>>();
  /** Accounts whose friend list is private: reading it answers 403. */
  private readonly privateFriendLists = new Set<string>();
  /** Accounts whose presence is shown to nobody else, friends included (PSN's privacy setting). */
  private readonly hiddenPresences = new Set<string>();
  private readonly byNpsso = new Map<string, string>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, TokenRecord>();
  /** Revoked refresh tokens' accounts: refused, but still known as theirs in the request log. */
  private readonly revokedRefreshTokens = new Map<string, string>();
  private readonly signingKey = randomBytes(32);

  constructor(private readonly options: WorldOptions) {}

  // ---- control ------------------------------------------------------------

  createAccount(input: { onlineId: string; accountId?: string; npsso?: string }): {
    accountId: string;
    onlineId: string;
    npsso: string;
  } {
    let accountId = input.accountId;
    while (!accountId || this.accounts.has(accountId)) {
      if (accountId && this.accounts.has(accountId)) throw new Error(`account ${accountId} exists`);
      accountId = `${randomInt(1, 10)}${randomString(18, "0123456789")}`;
    }
    const npsso = input.npsso ?? randomString(64);
    const account: SimAccount = {
      accountId,
      onlineId: input.onlineId,
      npsso,
      presence: {
        online: false,
        platform: "PS5",
        game: null,
        status: null,
        lastOnlineAt: new Date(this.options.now()),
      },
    };
    this.accounts.set(accountId, account);
    this.byNpsso.set(npsso, accountId);
    return { accountId, onlineId: account.onlineId, npsso };
  }

  setPresence(accountId: string, input: PresenceInput): void {
    const account = this.mustAccount(accountId);
    const was = account.presence;
    account.presence = {
      online: input.online,
      platform: input.platform ?? was.platform,
      game: input.game === undefined ? was.game : input.game,
      status: input.status === undefined ? was.status : input.status,
      lastOnlineAt: input.online || was.online ? new Date(this.options.now()) : was.lastOnlineAt,
    };
  }

  startParty(hostAccountId: string, input: PartyInput): string {
    const host = this.mustAccount(hostAccountId);
    const sessionId = randomUUID();
    this.parties.set(sessionId, {
      sessionId,
      name: input.name ?? "",
      hostAccountId: host.accountId,
      members: [host.accountId],
      joinability: input.joinability,
      maxMembers: input.maxMembers ?? 16,
      shareId: input.share === false ? null : `js_${randomString(19, `${ALNUM}-_`)}`,
      startedAt: new Date(this.options.now()),
    });
    return sessionId;
  }

  joinParty(sessionId: string, accountId: string): void {
    const party = this.mustParty(sessionId);
    this.mustAccount(accountId);
    if (party.members.includes(accountId)) return;
    if (party.members.length >= party.maxMembers) throw new Error(`party ${sessionId} is full`);
    party.members.push(accountId);
  }

  /** The host leaving hands the party to the next member; the last one leaving ends it. */
  leaveParty(sessionId: string, accountId: string): void {
    const party = this.mustParty(sessionId);
    party.members = party.members.filter((m) => m !== accountId);
    if (party.members.length === 0) this.parties.delete(sessionId);
    else if (party.hostAccountId === accountId) party.hostAccountId = party.members[0]!;
  }

  endParty(sessionId: string): void {
    this.parties.delete(sessionId);
  }

  setJoinability(sessionId: string, joinability: SimJoinability): void {
    this.mustParty(sessionId).joinability = joinability;
  }

  befriend(a: string, b: string): void {
    this.mustAccount(a);
    this.mustAccount(b);
    if (a === b) throw new Error("an account cannot befriend itself");
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = this.friendships.get(x) ?? new Set<string>();
      set.add(y);
      this.friendships.set(x, set);
    }
  }

  unfriend(a: string, b: string): void {
    this.friendships.get(a)?.delete(b);
    this.friendships.get(b)?.delete(a);
  }

  setFriendListPrivate(accountId: string, isPrivate: boolean): void {
    this.mustAccount(accountId);
    if (isPrivate) this.privateFriendLists.add(accountId);
    else this.privateFriendLists.delete(accountId);
  }

  setPresenceHidden(accountId: string, hidden: boolean): void {
    this.mustAccount(accountId);
    if (hidden) this.hiddenPresences.add(accountId);
    else this.hiddenPresences.delete(accountId);
  }

  /** The account's friends, in the order they were made (PSN pages them in a stable order). */
  friendsOf(accountId: string): string[] {
    return [...(this.friendships.get(accountId) ?? [])];
  }

  friendListPrivate(accountId: string): boolean {
    return this.privateFriendLists.has(accountId);
  }

  /** What PSN lets `caller` see of `target`'s presence: their own, or a friend's who does not hide it. */
  canSeePresence(caller: string, target: string): boolean {
    if (caller === target) return true;
    return (this.friendships.get(caller)?.has(target) ?? false) && !this.hiddenPresences.has(target);
  }

  invitations(toAccountId?: string): SimInvitation[] {
    return this.invitationLog.filter((i) => toAccountId === undefined || i.to === toAccountId);
  }

  revokeRefreshToken(accountId: string): void {
    for (const [token, record] of this.refreshTokens)
      if (record.accountId === accountId) {
        this.refreshTokens.delete(token);
        this.revokedRefreshTokens.set(token, accountId);
      }
  }

  expireAccessTokens(accountId?: string): void {
    for (const record of this.accessTokens.values())
      if (accountId === undefined || record.accountId === accountId) record.expiresAt = 0;
  }

  // ---- auth ---------------------------------------------------------------

  accountByNpsso(npsso: string): SimAccount | undefined {
    const id = this.byNpsso.get(npsso);
    return id === undefined ? undefined : this.accounts.get(id);
  }

  issueCode(accountId: string, redirectUri: string): string {
    const code = `v3.${randomString(6)}`;
    this.codes.set(code, { accountId, redirectUri, expiresAt: this.options.now() + 5 * 60_000 });
    return code;
  }

  /** Single use: a code is gone once tried. */
  redeemCode(code: string, redirectUri: string): string | null {
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (!record || record.expiresAt <= this.options.now() || record.redirectUri !== redirectUri) return null;
    return record.accountId;
  }

  issueTokens(accountId: string, refreshToken?: string) {
    const now = this.options.now();
    const accessToken = this.jwt({
      account_id: accountId,
      client_id: this.options.clientId,
      scope: this.options.scope,
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + this.options.accessTokenTtlSec,
      jti: randomUUID(),
    });
    this.accessTokens.set(accessToken, { accountId, expiresAt: now + this.options.accessTokenTtlSec * 1000 });
    let refresh = refreshToken;
    if (!refresh) {
      refresh = randomUUID();
      this.refreshTokens.set(refresh, { accountId, expiresAt: now + this.options.refreshTokenTtlSec * 1000 });
    }
    const record = this.refreshTokens.get(refresh)!;
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: this.options.accessTokenTtlSec,
      scope: this.options.scope,
      id_token: this.jwt({ sub: accountId, iat: Math.floor(now / 1000), jti: randomUUID() }),
      refresh_token: refresh,
      refresh_token_expires_in: Math.max(0, Math.floor((record.expiresAt - now) / 1000)),
    };
  }

  /** The account of a live refresh token, or null (unknown, revoked or expired). */
  /** The account a refresh token was issued to, valid or not (for the request log). */
  refreshTokenOwner(token: string): string | null {
    return this.refreshTokens.get(token)?.accountId ?? this.revokedRefreshTokens.get(token) ?? null;
  }

  refreshTokenAccount(token: string): string | null {
    const record = this.refreshTokens.get(token);
    if (!record || record.expiresAt <= this.options.now()) return null;
    return record.accountId;
  }

  /** Whose access token this is, expired or not (PSN's tokens name their account). */
  accessTokenOwner(token: string): string | undefined {
    return this.accessTokens.get(token)?.accountId;
  }

  checkAccessToken(token: string): { accountId: string } | "expired" | "invalid" {
    const record = this.accessTokens.get(token);
    if (!record) return "invalid";
    if (record.expiresAt <= this.options.now()) return "expired";
    return { accountId: record.accountId };
  }

  // ---- reads --------------------------------------------------------------

  partiesOf(accountId: string): SimParty[] {
    return [...this.parties.values()].filter((p) => p.members.includes(accountId));
  }

  partyByShareId(shareId: string): SimParty | undefined {
    return [...this.parties.values()].find((p) => p.shareId === shareId);
  }

  mustAccount(accountId: string): SimAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    return account;
  }

  mustParty(sessionId: string): SimParty {
    const party = this.parties.get(sessionId);
    if (!party) throw new Error(`no party ${sessionId}`);
    return party;
  }

  private jwt(claims: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = createHmac("sha256", this.signingKey)
      .update(`${header}.${payload}`)
      .digest("base64url");
    return `${header}.${payload}.${signature}`;
  }
}
