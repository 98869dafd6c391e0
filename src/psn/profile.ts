import type { PsnHttp, TokenProvider } from "./http.js";
import { type ProfileWire, profile } from "./schemas.js";
import type { Profile } from "./types.js";

const AVATAR_PREFERENCE = ["l", "xl", "m", "s"];

export function toProfile(wire: ProfileWire, accountId: string): Profile {
  const avatars = wire.avatars ?? [];
  const rank = (size: string | undefined) => {
    const i = AVATAR_PREFERENCE.indexOf(size ?? "");
    return i === -1 ? AVATAR_PREFERENCE.length : i;
  };
  const best = [...avatars].sort((a, b) => rank(a.size) - rank(b.size))[0];
  return { accountId, onlineId: wire.onlineId, avatarUrl: best?.url ?? null };
}

export async function getProfile(http: PsnHttp, auth: TokenProvider, accountId: string): Promise<Profile> {
  const wire = await http.json(
    {
      endpoint: "profile",
      host: "api",
      method: "GET",
      path: `/api/userProfile/v1/internal/users/${encodeURIComponent(accountId)}/profiles`,
      auth,
    },
    profile,
  );
  return toProfile(wire, accountId === "me" ? auth.key : accountId);
}
