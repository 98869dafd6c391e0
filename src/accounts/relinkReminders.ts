/**
 * PSN refresh tokens die about 60 days after sign-in whatever we do, so members
 * are reminded 7 days and 1 day before, and told once when a refresh is refused.
 */
import { claimRelinkNotice, claimReminderStage, listExpiringLinks, markNeedsRelink } from "../db/users.js";
import { discordTimestamp } from "../domain/timestamps.js";
import type { RelinkCause } from "../psn/tokens.js";
import { issueLink, type LinkingDeps } from "./linking.js";

const DAY_MS = 86_400_000;

/** Reminder stages: 1 = seven days before expiry, 2 = one day before. */
export const REMINDER_STAGES = [
  { stage: 1, beforeMs: 7 * DAY_MS },
  { stage: 2, beforeMs: 1 * DAY_MS },
] as const;

/**
 * The reminder stage to send now, or null. Only the latest due stage is sent, so
 * a member first seen 12 hours before expiry gets one reminder, not two.
 */
export function reminderStageDue(refreshTokenExpiresAt: Date, sent: number, now: Date): number | null {
  const left = refreshTokenExpiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  let due: number | null = null;
  for (const { stage, beforeMs } of REMINDER_STAGES) {
    if (left <= beforeMs && sent < stage) due = stage;
  }
  return due;
}

/** One run: sends every due reminder. Safe to run often and from a restart (idempotent). */
export async function sendRelinkReminders(deps: LinkingDeps): Promise<number> {
  const now = deps.now();
  const candidates = await listExpiringLinks(deps.db, new Date(now.getTime() + REMINDER_STAGES[0].beforeMs));
  let sent = 0;
  for (const user of candidates) {
    const stage = reminderStageDue(user.refreshTokenExpiresAt, user.relinkRemindersSent, now);
    if (stage === null) continue;
    if (!(await claimReminderStage(deps.db, user.discordUserId, stage, now))) continue;
    const link = await issueLink(deps, user.discordUserId, null);
    try {
      await deps.notifier.dm(user.discordUserId, {
        content:
          `Your PlayStation sign-in for **${user.psnOnlineId}** expires ${discordTimestamp(user.refreshTokenExpiresAt, "F")}` +
          " (PSN asks everyone to sign in again about every 60 days). Sign in again before then to keep your parties announced." +
          " The button below works for 10 minutes; later, run /link or use the other button.",
        link: { label: "Sign in again", url: link.url },
        relinkButton: true,
      });
      sent++;
    } catch (err) {
      deps.log.warn({ err, discordUserId: user.discordUserId, stage }, "could not DM a re-link reminder");
    }
  }
  return sent;
}

/**
 * The TokenManager's onRelinkRequired: the link stops being polled and the member
 * gets exactly one DM about it, however many calls fail afterwards. `generation` is
 * the sign-in whose refresh PSN refused: when the member has signed in again since,
 * the new link is left alone and nobody is told anything.
 */
export async function handleRelinkRequired(
  deps: LinkingDeps,
  psnAccountId: string,
  generation?: number,
  cause: RelinkCause = "refused",
): Promise<void> {
  const now = deps.now();
  const user = await markNeedsRelink(deps.db, psnAccountId, now, generation);
  if (!user) {
    if (generation !== undefined)
      deps.log.info(
        { account: psnAccountId },
        "a refused PSN refresh belonged to an earlier sign-in; ignored",
      );
    return;
  }
  if (!(await claimRelinkNotice(deps.db, psnAccountId, now, generation))) return;
  if (cause === "undecryptable")
    // Names the member, never the value: the operator may want to know which row was damaged.
    deps.log.warn(
      { discordUserId: user.discordUserId },
      "the member's stored PSN tokens no longer decrypt (damaged in the database); they must sign in again; telling them",
    );
  else
    deps.log.info({ discordUserId: user.discordUserId }, "PSN link needs a new sign-in; telling the member");
  const link = await issueLink(deps, user.discordUserId, null);
  await deps.notifier.dm(user.discordUserId, {
    content:
      `PlayStation no longer accepts the sign-in for **${user.psnOnlineId}** (it expired or was revoked), ` +
      "so your parties are not announced any more. Sign in again to resume: the button below works for 10 minutes; " +
      "later, run /link or use the other button.",
    link: { label: "Sign in again", url: link.url },
    relinkButton: true,
  });
}
