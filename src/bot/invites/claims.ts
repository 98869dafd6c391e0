/**
 * Invite requests being handled right now, by party session and requester. A
 * request's audit row is written only once PSN has answered, so without a claim
 * taken before the first await a double click would reach PSN twice.
 */
export interface InviteClaims {
  /** Takes the claim; false when the same request is already being handled. */
  claim(sessionId: string, requesterUserId: string): boolean;
  release(sessionId: string, requesterUserId: string): void;
}

/**
 * Claims in this process's memory: right for the single process DESIGN runs. Several
 * instances sharing one database would need the claim there instead (a row with a
 * unique key), which is why handlers only see this interface.
 */
export function createMemoryInviteClaims(): InviteClaims {
  const held = new Set<string>();
  const key = (sessionId: string, requesterUserId: string) => `${sessionId}\n${requesterUserId}`;
  return {
    claim(sessionId, requesterUserId) {
      const k = key(sessionId, requesterUserId);
      if (held.has(k)) return false;
      held.add(k);
      return true;
    },
    release(sessionId, requesterUserId) {
      held.delete(key(sessionId, requesterUserId));
    },
  };
}
