/**
 * Invitation requests: every click on "Request invite" leaves a row (who, whom,
 * which party, what came of it), which is also the dedupe window and the state of
 * an approval waiting in a member's DMs.
 */
import { and, desc, eq, gte, ne, or } from "drizzle-orm";
import type { InviteDetail } from "../domain/inviteDetail.js";
import { type Db, dbOf, type Store } from "./client.js";
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

export async function recordInvite(store: Store, invite: NewInvite, now: Date): Promise<InviteRow> {
  const db = dbOf(store);
  const decided = invite.outcome === "pending" ? null : now;
  return db
    .insert(invites)
    .values({ ...invite, detail: invite.detail ?? null, createdAt: now, decidedAt: decided })
    .returning()
    .get();
}

export async function findInvite(store: Store, id: number): Promise<InviteRow | undefined> {
  const db = dbOf(store);
  return db.select().from(invites).where(eq(invites.id, id)).get();
}

/**
 * The latest request by this person for this party since `since` that reached a
 * member (sent, waiting, denied, expired): a repeat within the window is not sent or
 * asked again. Refusals and failures reached nobody, so a retry after one is allowed.
 */
export async function findRecentRequest(
  store: Store,
  sessionId: string,
  requesterUserId: string,
  since: Date,
): Promise<InviteRow | undefined> {
  const db = dbOf(store);
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
export async function decideInvite(
  store: Store,
  id: number,
  outcome: Exclude<InviteOutcome, "pending">,
  detail: InviteDetail | null,
  now: Date,
): Promise<InviteRow | null> {
  const db = dbOf(store);
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
export async function reviseInvite(
  store: Store,
  id: number,
  outcome: Exclude<InviteOutcome, "pending">,
  detail: InviteDetail | null,
  now: Date,
): Promise<void> {
  const db = dbOf(store);
  db.update(invites).set({ outcome, detail, decidedAt: now }).where(eq(invites.id, id)).run();
}

export async function invitesOfSession(store: Store, sessionId: string): Promise<InviteRow[]> {
  const db = dbOf(store);
  return db.select().from(invites).where(eq(invites.sessionId, sessionId)).all();
}

/** Every request this member asked or sent (for /unlink); how many went. */
export async function deleteInvitesOfUser(store: Store, discordUserId: string): Promise<number> {
  return deleteInvitesOfUserIn(dbOf(store), discordUserId);
}

/** deleteInvitesOfUser inside another unit of work's transaction. */
export function deleteInvitesOfUserIn(db: Db, discordUserId: string): number {
  return db
    .delete(invites)
    .where(or(eq(invites.requesterUserId, discordUserId), eq(invites.senderUserId, discordUserId)))
    .run().changes;
}

export type InvitesMode = "auto" | "approve" | "off";

/** A member's answer to "may others ask me for invitations?"; false when not linked. */
export async function setInvitesMode(
  store: Store,
  discordUserId: string,
  mode: InvitesMode,
  now: Date,
): Promise<boolean> {
  const db = dbOf(store);
  return (
    db
      .update(users)
      .set({ invitesMode: mode, updatedAt: now })
      .where(eq(users.discordUserId, discordUserId))
      .run().changes > 0
  );
}
