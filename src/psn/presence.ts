import type { PsnHttp, TokenProvider } from "./http.js";
import { type BasicPresenceWire, presenceMany, presenceOne } from "./schemas.js";
import type { GameTitle, Presence } from "./types.js";

const PRESENCE_QUERY = {
  type: "primary",
  platforms: "PS4,PS5,MOBILE_APP,PSPC",
  withOwnGameTitleInfo: "true",
};
/** PSN publishes no batch limit; 100 is what community clients use safely. */
export const PRESENCE_BATCH = 100;

function toDate(text: string | null | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toPresence(wire: BasicPresenceWire, accountId: string): Presence {
  const platformInfo = wire.primaryPlatformInfo;
  const onlineStatus = platformInfo?.onlineStatus;
  const online = onlineStatus ? onlineStatus === "online" : wire.availability === "availableToPlay";
  let game: GameTitle | null = null;
  const first = wire.gameTitleInfoList?.find((g) => g.titleName || g.npTitleId);
  if (first) {
    game = {
      titleId: first.npTitleId ?? null,
      name: first.titleName ?? first.npTitleId ?? "",
      iconUrl: first.npTitleIconUrl ?? first.conceptIconUrl ?? null,
      status: first.gameStatus ?? null,
    };
  }
  return {
    accountId: wire.accountId ?? accountId,
    online,
    availability: wire.availability ?? null,
    platform: platformInfo?.platform ?? null,
    lastOnlineAt: toDate(platformInfo?.lastOnlineDate) ?? toDate(wire.lastAvailableDate),
    game,
  };
}

/** One account's presence; `"me"` is the token's own account (reported under `auth.key`). */
export async function getPresence(
  http: PsnHttp,
  auth: TokenProvider,
  accountId: string | "me",
): Promise<Presence> {
  const wire = await http.json(
    {
      endpoint: "presence",
      host: "api",
      method: "GET",
      path: `/api/userProfile/v2/internal/users/${encodeURIComponent(accountId)}/basicPresences`,
      query: PRESENCE_QUERY,
      auth,
    },
    presenceOne,
  );
  return toPresence(wire.basicPresence, accountId === "me" ? auth.key : accountId);
}

/** Presences of many accounts, in batches; accounts the token may not see are simply absent. */
export async function getPresences(
  http: PsnHttp,
  auth: TokenProvider,
  accountIds: readonly string[],
): Promise<Presence[]> {
  const unique = [...new Set(accountIds)];
  const out: Presence[] = [];
  for (let i = 0; i < unique.length; i += PRESENCE_BATCH) {
    const chunk = unique.slice(i, i + PRESENCE_BATCH);
    const wire = await http.json(
      {
        endpoint: "presences",
        host: "api",
        method: "GET",
        path: "/api/userProfile/v2/internal/users/basicPresences",
        query: { ...PRESENCE_QUERY, accountIds: chunk.join(",") },
        auth,
      },
      presenceMany,
    );
    for (const p of wire.basicPresences) {
      // An entry without an account id cannot be attributed; a lone one in a batch of one can.
      if (p.accountId) out.push(toPresence(p, p.accountId));
      else if (chunk.length === 1) out.push(toPresence(p, chunk[0]!));
    }
  }
  return out;
}
