/**
 * Why an invitation request came to nothing, as stored in invites.detail: a code, put
 * in words only when shown (bot/invites/policy.ts), like the pause reasons.
 */
import type { PsnErrorKind } from "../psn/errors.js";

export type InviteDetail =
  /** Nobody in the party may invite the requester. */
  | "nobodyCanInvite"
  /** The party's linked members all must sign in again: the bot cannot see the party. */
  | "partyUnseen"
  /** The approval request could not be sent to the member by DM. */
  | "approvalNotDelivered"
  /** The member asked to approve unlinked before answering. */
  | "senderNotLinked"
  /** PSN refused or failed the invitation, by the kind of its error. */
  | PsnErrorKind
  /** Anything else: a bug, logged where it happened. */
  | "unexpected";
