import type { PsnHttp, TokenProvider } from "./http.js";
import { type PartyMemberWire, type PartyWire, partiesBulk } from "./schemas.js";
import type { Joinability, PsnParty, PsnPartyMember } from "./types.js";

export function joinabilityOf(
  wire: Pick<PartyWire, "partyJoinable" | "partyRequestToJoinable">,
): Joinability {
  if (wire.partyJoinable === true) return "open";
  if (wire.partyRequestToJoinable === true) return "request";
  return "invite";
}

function toMember(wire: PartyMemberWire): PsnPartyMember {
  return { accountId: wire.accountId, onlineId: wire.onlineId ?? "", platform: wire.platform ?? null };
}

/** Null for a party with neither owner nor members: nothing to show. */
export function toParty(wire: PartyWire): PsnParty | null {
  const members = (wire.members ?? []).map(toMember);
  const ownerWire = wire.owner;
  const owner = ownerWire ? toMember(ownerWire) : members[0];
  if (!owner) return null;
  // The owner's name may be missing from `owner` yet present in `members`.
  if (!owner.onlineId) owner.onlineId = members.find((m) => m.accountId === owner.accountId)?.onlineId ?? "";
  return {
    sessionId: wire.sessionId,
    name: wire.sessionName || null,
    owner,
    members,
    maxMembers: wire.maxMembers ?? null,
    joinability: joinabilityOf(wire),
    visibility: wire.visibilityType ?? wire.joinableUserType ?? null,
  };
}

function toParties(list: PartyWire[]): PsnParty[] {
  return list.map(toParty).filter((p): p is PsnParty => p !== null);
}

/** The parties the token's account is in. */
export async function getParties(http: PsnHttp, auth: TokenProvider): Promise<PsnParty[]> {
  const wire = await http.json(
    {
      endpoint: "parties",
      host: "api",
      method: "POST",
      path: "/api/sessionManager/v2/sys/gameBase/parties/bulkGet",
      query: { limit: "11" },
      body: { json: { groupInvitedPartySessions: [] } },
      auth,
    },
    partiesBulk,
  );
  return toParties(wire.parties);
}
