import type { PsnHttp, TokenProvider } from "./http.js";
import { friendsPage } from "./schemas.js";

/** PSN's largest page. */
const FRIENDS_PAGE = 1000;
/** PSN caps friend lists at 1,000 (2,000 on newer firmware); a bound, should paging ever loop. */
const MAX_PAGES = 5;

/**
 * The token's own friend list (account ids), every page. A private list answers 403:
 * PsnForbiddenError, for the caller to treat as "no friends known".
 */
export async function getFriends(http: PsnHttp, auth: TokenProvider): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const wire = await http.json(
      {
        endpoint: "friends",
        host: "api",
        method: "GET",
        path: "/api/userProfile/v1/internal/users/me/friends",
        query: { limit: String(FRIENDS_PAGE), ...(offset > 0 ? { offset: String(offset) } : {}) },
        auth,
        // Never urgent: a failed list is tried again on the caller's backoff, minutes
        // later, not at once, so a failing endpoint costs one request per try.
        retryable: false,
      },
      friendsPage,
    );
    out.push(...wire.friends);
    const next = wire.nextOffset;
    if (next === undefined || next === null || next <= offset || wire.friends.length === 0) break;
    offset = next;
  }
  return [...new Set(out)];
}
