import { PsnNotFoundError } from "./errors.js";
import type { PsnHttp, TokenProvider } from "./http.js";
import { partyInfo, shareLink } from "./schemas.js";
import type { PartyInfo } from "./types.js";

export const PARTY_SHARE_ORIGIN = "https://party.playstation.com";

/** Pure: the share id in a share link, or null when it is not a party link. */
export function shareIdOf(link: string): string | null {
  try {
    const url = new URL(link);
    if (url.origin !== PARTY_SHARE_ORIGIN) return null;
    const id = url.pathname.split("/").filter(Boolean)[0];
    return id && /^[\w-]+$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** `https://party.playstation.com/<shareId>`, or null when PSN has no link for the party. */
export async function getShareLink(
  http: PsnHttp,
  auth: TokenProvider,
  sessionId: string,
): Promise<string | null> {
  let wire: { shareUrl?: string | null | undefined };
  try {
    wire = await http.json(
      {
        endpoint: "share",
        host: "api",
        method: "GET",
        path: `/api/cpss/v1/share/party/${encodeURIComponent(sessionId)}`,
        auth,
      },
      shareLink,
    );
  } catch (err) {
    if (err instanceof PsnNotFoundError) return null;
    throw err;
  }
  if (!wire.shareUrl) return null;
  const id = shareIdOf(wire.shareUrl);
  return id ? `${PARTY_SHARE_ORIGIN}/${id}` : null;
}

/** The public launcher's view of a shared party, no login; null when the party is gone. */
export async function getPartyInfo(
  http: PsnHttp,
  shareId: string,
  budgetKey?: string,
): Promise<PartyInfo | null> {
  let wire: Awaited<ReturnType<typeof partyInfo.parse>>;
  try {
    wire = await http.json(
      {
        endpoint: "partyInfo",
        host: "web",
        method: "GET",
        path: `/api/cpss/v1/partyInfo/${encodeURIComponent(shareId)}`,
        query: { country: "US", language: "en" },
        headers: { origin: PARTY_SHARE_ORIGIN, referer: `${PARTY_SHARE_ORIGIN}/` },
        budgetKey,
      },
      partyInfo,
    );
  } catch (err) {
    if (err instanceof PsnNotFoundError) return null;
    throw err;
  }
  return {
    sessionId: wire.sessionId ?? null,
    sessionName: wire.sessionName || null,
    isJoinable: wire.isJoinable ?? false,
    joinableFrom: wire.joinableFrom ?? [],
    maxMembers: wire.maxMembers ?? null,
    timeStarted: typeof wire.timeStarted === "number" ? new Date(wire.timeStarted) : null,
    shareImageUrl: wire.shareImageUrl ?? null,
  };
}
