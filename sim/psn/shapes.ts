/** PSN's answer shapes, built from the simulator's state (psn-api.md is the reference). */
import type { SimAccount, SimParty, SimWorld } from "./world.js";

const AVATAR_BASE = "https://psn-rsc.prod.dl.playstation.net/psn-rsc/avatar/sim";

export function profileBody(account: SimAccount, callerId: string) {
  return {
    onlineId: account.onlineId,
    aboutMe: "",
    avatars: ["s", "m", "l", "xl"].map((size) => ({
      size,
      url: `${AVATAR_BASE}/${account.accountId}_${size}.png`,
    })),
    languages: ["en-US"],
    isPlus: false,
    isOfficiallyVerified: false,
    isMe: account.accountId === callerId,
  };
}

export function presenceBody(account: SimAccount) {
  const p = account.presence;
  const lastOnline = p.lastOnlineAt.toISOString();
  const body: Record<string, unknown> = {
    accountId: account.accountId,
    availability: p.online ? "availableToPlay" : "unavailable",
    lastAvailableDate: lastOnline,
    primaryPlatformInfo: {
      onlineStatus: p.online ? "online" : "offline",
      platform: p.platform,
      lastOnlineDate: lastOnline,
    },
  };
  if (p.online && p.game) {
    const icon = p.game.iconUrl ?? null;
    body.gameTitleInfoList = [
      {
        npTitleId: p.game.titleId ?? "PPSA01234_00",
        titleName: p.game.name,
        format: p.platform === "PS5" ? "PS5" : "PS4",
        launchPlatform: p.platform,
        ...(icon ? (p.platform === "PS5" ? { conceptIconUrl: icon } : { npTitleIconUrl: icon }) : {}),
        ...(p.status ? { gameStatus: p.status } : {}),
      },
    ];
  }
  return body;
}

function member(world: SimWorld, accountId: string) {
  const account = world.accounts.get(accountId);
  return { accountId, onlineId: account?.onlineId ?? "", platform: account?.presence.platform ?? "PS5" };
}

export function partyBody(world: SimWorld, party: SimParty) {
  const visibility =
    party.joinability === "invite"
      ? "INVITE_ONLY"
      : party.joinability === "open"
        ? "FRIENDS"
        : "FRIENDS_ONLY";
  return {
    sessionId: party.sessionId,
    sessionName: party.name,
    owner: member(world, party.hostAccountId),
    members: party.members.map((m) => member(world, m)),
    maxMembers: party.maxMembers,
    partyJoinable: party.joinability === "open",
    partyRequestToJoinable: party.joinability === "request",
    visibilityType: visibility,
    joinableUserType: visibility,
  };
}

export function shareBody(party: SimParty & { shareId: string }) {
  return {
    shareUrl: `https://party.playstation.com/${party.shareId}`,
    shareImageUrl: `https://d18lxmvkmz0olj.cloudfront.net/party-${party.sessionId}.png`,
    shareImageUrlDestination: `https://party.playstation.com/${party.shareId}`,
  };
}

/** What the public launcher shows without login: members anonymised. */
export function partyInfoBody(world: SimWorld, party: SimParty) {
  return {
    sessionName: party.name,
    isJoinable: party.joinability !== "invite",
    joinableFrom: ["PS4", "PS5", "MOBILE_APP"],
    msPollingInterval: 5000,
    maxMembers: party.maxMembers,
    timeStarted: party.startedAt.getTime(),
    shareImageUrl: `https://d18lxmvkmz0olj.cloudfront.net/party-${party.sessionId}.png`,
    inParty: false,
    members: party.members.map((m) => ({
      isHost: m === party.hostAccountId,
      onlineId: "_anonymous_user",
      platformId: world.accounts.get(m)?.presence.platform ?? "PS5",
      accountId: "0",
      isAnonymous: true,
    })),
    sessionId: party.sessionId,
  };
}
