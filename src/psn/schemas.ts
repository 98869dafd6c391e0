/**
 * PSN's wire shapes. Tolerant on purpose: unknown fields pass through, enum-like
 * values are plain strings (new ones appear), and anything PSN has been seen to
 * omit is optional. Only what the mapping truly needs is required.
 */
import { z } from "zod";

/** `{"error":{"referenceId","code","message"}}` on the api/web hosts. */
export const apiErrorBody = z.looseObject({
  error: z.looseObject({
    referenceId: z.string().optional(),
    code: z.number().optional(),
    message: z.string().optional(),
  }),
});

/** The OAuth host's errors: `{"error":"invalid_grant","error_description":...}`. */
export const oauthErrorBody = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  error_code: z.number().optional(),
});

export const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;

export const accountsMe = z.looseObject({ accountId: z.string().min(1) });

export const profile = z.looseObject({
  onlineId: z.string(),
  aboutMe: z.string().nullish(),
  avatars: z.array(z.looseObject({ size: z.string().optional(), url: z.string() })).nullish(),
  languages: z.array(z.string()).nullish(),
  isPlus: z.boolean().nullish(),
  isOfficiallyVerified: z.boolean().nullish(),
  isMe: z.boolean().nullish(),
});
export type ProfileWire = z.infer<typeof profile>;

export const gameTitleInfo = z.looseObject({
  npTitleId: z.string().nullish(),
  titleName: z.string().nullish(),
  format: z.string().nullish(),
  launchPlatform: z.string().nullish(),
  npTitleIconUrl: z.string().nullish(),
  conceptIconUrl: z.string().nullish(),
  gameStatus: z.string().nullish(),
});

export const basicPresence = z.looseObject({
  accountId: z.string().nullish(),
  availability: z.string().nullish(),
  lastAvailableDate: z.string().nullish(),
  primaryPlatformInfo: z
    .looseObject({
      onlineStatus: z.string().nullish(),
      platform: z.string().nullish(),
      lastOnlineDate: z.string().nullish(),
    })
    .nullish(),
  gameTitleInfoList: z.array(gameTitleInfo).nullish(),
});
export type BasicPresenceWire = z.infer<typeof basicPresence>;

export const presenceOne = z.looseObject({ basicPresence });
export const presenceMany = z.looseObject({ basicPresences: z.array(basicPresence).default([]) });

export const partyMember = z.looseObject({
  accountId: z.string(),
  onlineId: z.string().nullish(),
  platform: z.string().nullish(),
});
export type PartyMemberWire = z.infer<typeof partyMember>;

export const party = z.looseObject({
  sessionId: z.string(),
  sessionName: z.string().nullish(),
  owner: partyMember.nullish(),
  members: z.array(partyMember).nullish(),
  maxMembers: z.number().nullish(),
  partyJoinable: z.boolean().nullish(),
  partyRequestToJoinable: z.boolean().nullish(),
  visibilityType: z.string().nullish(),
  joinableUserType: z.string().nullish(),
});
export type PartyWire = z.infer<typeof party>;

export const partiesBulk = z.looseObject({ parties: z.array(party).default([]) });

export const shareLink = z.looseObject({
  shareUrl: z.string().nullish(),
  shareImageUrl: z.string().nullish(),
  shareImageUrlDestination: z.string().nullish(),
});

export const partyInfo = z.looseObject({
  sessionId: z.string().nullish(),
  sessionName: z.string().nullish(),
  isJoinable: z.boolean().nullish(),
  joinableFrom: z.array(z.string()).nullish(),
  msPollingInterval: z.number().nullish(),
  maxMembers: z.number().nullish(),
  timeStarted: z.number().nullish(),
  shareImageUrl: z.string().nullish(),
  inParty: z.boolean().nullish(),
  members: z
    .array(
      z.looseObject({
        isHost: z.boolean().nullish(),
        onlineId: z.string().nullish(),
        platformId: z.string().nullish(),
        accountId: z.string().nullish(),
        isAnonymous: z.boolean().nullish(),
      }),
    )
    .nullish(),
});

/** `GET /userProfile/v1/internal/users/me/friends`: a page of account ids. */
export const friendsPage = z.looseObject({
  friends: z.array(z.string()).default([]),
  totalItemCount: z.number().optional(),
  nextOffset: z.number().int().nonnegative().nullish(),
});
