import type { PsnHttp, TokenProvider } from "./http.js";

/** Invites `toAccountId` into the party; the token's account must be a member (else PsnForbiddenError). */
export async function sendInvitation(
  http: PsnHttp,
  auth: TokenProvider,
  sessionId: string,
  toAccountId: string,
): Promise<void> {
  await http.send({
    endpoint: "invite",
    host: "api",
    method: "POST",
    path: `/api/sessionManager/v2/partySessions/${encodeURIComponent(sessionId)}/invitations`,
    // A repeated invitation is a second notification on the member's console.
    retryable: false,
    body: {
      json: {
        invitationType: "NORMAL",
        invitations: [{ to: { accountId: toAccountId } }],
        invitationsToGroups: [],
      },
    },
    auth,
  });
}
