/**
 * Invitation requests: every click on "Request invite" leaves a row (who, whom,
 * which party, what came of it), which is also the dedupe window and the state of
 * an approval waiting in a member's DMs.
 */
import { and, desc, eq, gte, ne, or } from "drizzle-orm";
import type { InviteDetail } from "../domain/inviteDetail.js";
import type { Db } from "./client.js";
import { invites, users } from "./schema.js";

export type InviteRow = typeof invites.$inferSelect;
export type InviteOutcome = InviteRow["outcome"];

export interface NewInvite {
  guildId: string;
  sessionId: string;
  requesterUserId: string;
  requesterAccountId: string;
  senderUserId: string | null;
  outcome: InviteOutcome;
  detail?: InviteDetail | null;
}

export function recordInvite(db: Db, invite: NewInvite, now: Date): InviteRow {
  const decided = invite.outcome === "pending" ? null : now;
  return db
    .insert(invites)
    .values({ ...invite, detail: invite.detail ?? null, createdAt: now, decidedAt: decided })
    .returning()
    .get();
}

export function findInvite(db: Db, id: number): InviteRow | undefined {
  return db.select().from(invites).where(eq(invites.id, id)).get();
}

/**
 * The latest request by this person for this party since `since` that reached a
 * member (sent, waiting, denied, expired): a repeat within the window is not sent or
 * asked again. Refusals and failures reached nobody, so a retry after one is allowed.
 */
export function findRecentRequest(
  db: Db,
  sessionId: string,
  requesterUserId: string,
  since: Date,
): InviteRow | undefined {
  return db
    .select()
    .from(invites)
    .where(
      and(
        eq(invites.sessionId, sessionId),
        eq(invites.requesterUserId, requesterUserId),
        gte(invites.createdAt, since),
        ne(invites.outcome, "refused"),
        ne(invites.outcome, "failed"),
      ),
    )
    .orderBy(desc(invites.createdAt))
    .get();
}

/**
 * Moves a pending request to its outcome, once: the returned row is null when it
 * was no longer pending (someone clicked twice, or it expired meanwhile).
 */
export function decideInvite(
  db: Db,
  id: number,
  outcome: Exclude<InviteOutcome, "pending">,
  detail: InviteDetail | null,
  now: Date,
): InviteRow | null {
  return (
    db
      .update(invites)
      .set({ outcome, detail, decidedAt: now })
      .where(and(eq(invites.id, id), eq(invites.outcome, "pending")))
      .returning()
      .get() ?? null
  );
}

/** Corrects a decided request (claimed as sent, then refused by PSN). */
export function reviseInvite(
  db: Db,
  id: number,
  outcome: Exclude<InviteOutcome, "pending">,
  detail: InviteDetail | null,
  now: Date,
): void {
  db.update(invites).set({ outcome, detail, decidedAt: now }).where(eq(invites.id, id)).run();
}

export function invitesOfSession(db: Db, sessionId: string): InviteRow[] {
  return db.select().from(invites).where(eq(invites.sessionId, sessionId)).all();
}

/** Every request this member asked or sent (for /unlink); how many went. */
export function deleteInvitesOfUser(db: Db, discordUserId: string): number {
  return db
    .delete(invites)
    .where(or(eq(invites.requesterUserId, discordUserId), eq(invites.senderUserId, discordUserId)))
    .run().changes;
}

export type InvitesMode = "auto" | "approve" | "off";

/** A member's answer to "may others ask me for invitations?"; false when not linked. */
export function setInvitesMode(db: Db, discordUserId: string, mode: InvitesMode, now: Date): boolean {
  return (
    db
      .update(users)
      .set({ invitesMode: mode, updatedAt: now })
      .where(eq(users.discordUserId, discordUserId))
      .run().changes > 0
  );
}
