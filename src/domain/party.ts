import type { GameTitle, Joinability, PartyInfo, PsnParty, PsnPartyMember } from "../psn/types.js";

/** Linked PSN account id → Discord user id. */
export type LinkedAccounts = ReadonlyMap<string, string>;

export interface PartyMember {
  accountId: string;
  onlineId: string;
  platform: string | null;
  /** Set when this PSN account is linked to a Discord user, whatever the server. */
  discordUserId: string | null;
}

/** What the public party launcher and the share endpoint add to a party; fetched once, optional. */
export interface PartyDetails {
  shareUrl: string | null;
  info: PartyInfo | null;
}

/**
 * Why the bot can no longer see a party it shows, stored as a code on the card's row
 * and rendered in src/bot/embeds: "relinkNeeded", none of its linked members can be read
 * until one signs in to PlayStation again.
 */
export type UnseenReason = "relinkNeeded";

/** A PSN party as the bot shows it. */
export interface Party {
  sessionId: string;
  name: string | null;
  host: PartyMember;
  /** Everyone in the party, the host first, each account once. */
  members: PartyMember[];
  maxMembers: number | null;
  joinability: Joinability;
  /** The host's game, when the host is a watched member; null otherwise. */
  game: GameTitle | null;
  /** The host's platform. */
  platform: string | null;
  /** When the bot first saw it: the fallback for startedAt, stable across ticks. */
  firstSeenAt: Date;
  shareUrl: string | null;
  joinableFrom: string[] | null;
  /** From PSN's partyInfo when known. */
  startedAt: Date | null;
  imageUrl: string | null;
  /** null while a linked member in it can be read; else why nobody can (no invite can be served). */
  unseenReason: UnseenReason | null;
}

/** Parties a friend can get into without an invitation from inside. */
export function isJoinable(party: Pick<Party, "joinability">): boolean {
  return party.joinability === "open" || party.joinability === "request";
}

function toMember(m: PsnPartyMember, linked: LinkedAccounts): PartyMember {
  return {
    accountId: m.accountId,
    onlineId: m.onlineId,
    platform: m.platform,
    discordUserId: linked.get(m.accountId) ?? null,
  };
}

export interface FromPsnPartyOptions {
  linked: LinkedAccounts;
  /** The host's presence game, when known. */
  game: GameTitle | null;
  firstSeenAt: Date;
  details?: PartyDetails | null;
  /** Default null: seen. */
  unseenReason?: UnseenReason | null;
}

export function fromPsnParty(psn: PsnParty, opts: FromPsnPartyOptions): Party {
  const host = toMember(psn.owner, opts.linked);
  // PSN lists the host among the members as well, but not always first: put it first, once.
  const members = [host];
  const seen = new Set([host.accountId]);
  for (const m of psn.members) {
    if (seen.has(m.accountId)) continue;
    seen.add(m.accountId);
    members.push(toMember(m, opts.linked));
  }
  const info = opts.details?.info ?? null;
  return {
    sessionId: psn.sessionId,
    name: psn.name ?? info?.sessionName ?? null,
    host,
    members,
    maxMembers: psn.maxMembers ?? info?.maxMembers ?? null,
    joinability: psn.joinability,
    game: opts.game,
    platform: host.platform,
    firstSeenAt: opts.firstSeenAt,
    shareUrl: opts.details?.shareUrl ?? null,
    joinableFrom: info && info.joinableFrom.length > 0 ? [...info.joinableFrom] : null,
    startedAt: info?.timeStarted ?? null,
    imageUrl: info?.shareImageUrl ?? null,
    unseenReason: opts.unseenReason ?? null,
  };
}
