/**
 * The PSN side of the domain, as the rest of the bot sees it. Endpoint modules map
 * PSN's wire shapes (src/psn/schemas.ts) onto these; nothing outside src/psn sees
 * a wire shape.
 */

/** Tokens from a sign-in or a refresh. */
export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  /** PSN does not extend this on refresh: every member must sign in again about every 60 days. */
  refreshTokenExpiresAt: Date;
}

export type Joinability = "open" | "request" | "invite";

export interface GameTitle {
  titleId: string | null;
  name: string;
  iconUrl: string | null;
  /** The game's rich-presence text, when it publishes one. */
  status: string | null;
}

export interface Presence {
  accountId: string;
  online: boolean;
  /** PSN's own value (availableToPlay, unavailable, ...); kept as-is, new values appear. */
  availability: string | null;
  platform: string | null;
  lastOnlineAt: Date | null;
  game: GameTitle | null;
}

export interface PsnPartyMember {
  accountId: string;
  onlineId: string;
  platform: string | null;
}

export interface PsnParty {
  sessionId: string;
  name: string | null;
  owner: PsnPartyMember;
  members: PsnPartyMember[];
  maxMembers: number | null;
  joinability: Joinability;
  visibility: string | null;
}

export interface Profile {
  accountId: string;
  onlineId: string;
  avatarUrl: string | null;
}

/** The public party launcher's view of a shared party (no login needed). */
export interface PartyInfo {
  sessionId: string | null;
  sessionName: string | null;
  isJoinable: boolean;
  joinableFrom: string[];
  maxMembers: number | null;
  timeStarted: Date | null;
  shareImageUrl: string | null;
}
