/**
 * How account code talks to a member: direct messages only. Owned here so accounts
 * never depends on Discord; the app wires the Discord implementation
 * (src/bot/directMessages.ts), and tests may pass their own.
 */
export interface DmMessage {
  content: string;
  /** A link button (e.g. the sign-in page). */
  link?: { label: string; url: string };
  /** Adds a "Get a new sign-in link" button (custom_id `relink:new`). */
  relinkButton?: boolean;
}

export interface MemberNotifier {
  /** Rejects when the DM could not be delivered (closed DMs, unknown user). */
  dm(discordUserId: string, message: DmMessage): Promise<void>;
}
