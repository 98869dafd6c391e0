/**
 * What `/party [member]` answers, decided from what the bot already knows: the
 * member's link, their opt-in here, the poller's last view of them (users row) and
 * the cards it keeps (cards.party_json). No PSN call: a command anyone can run must
 * not spend the member's PSN budget. Pure.
 */
import type { GuildSettings } from "../../domain/guild.js";
import { canPostCards } from "../../domain/guild.js";
import { isJoinable, type Party } from "../../domain/party.js";

export interface MemberFacts {
  /** Null when the member has no linked PSN account. */
  link: {
    state: "active" | "needs_relink";
    /** The poller's last presence: null until it has read one. */
    online: boolean | null;
    inParty: boolean;
  } | null;
  /** Their parties are announced in this server (`/link` here, `/privacy announce on`). */
  announcedHere: boolean;
  /** A live card of this server showing them, with its message. */
  cardHere: { party: Party; channelId: string; messageId: string } | null;
  /** Their party as another server's card shows it, when it has no card here. */
  partyElsewhere: Party | null;
  settings: GuildSettings;
}

export type PartyStatus =
  | { kind: "card"; party: Party; channelId: string; messageId: string }
  | { kind: "notLinked" }
  | { kind: "private" }
  | { kind: "relink" }
  | { kind: "notSeen" }
  | { kind: "offline" }
  | { kind: "noParty" }
  | { kind: "notShown"; why: "cardsOff" | "inviteOnly" }
  /** In a party with no card here, whose joinability the bot does not know (no card anywhere). */
  | { kind: "notShown"; why: "notYet"; joinableOnly: boolean };

export function partyStatus(f: MemberFacts): PartyStatus {
  if (f.link === null) return { kind: "notLinked" };
  if (!f.announcedHere) return { kind: "private" };
  if (f.cardHere !== null) return { kind: "card", ...f.cardHere };
  // Cards off or no channel: that is the answer, and the bot may not know more, as it reads
  // no one whom no server shows (a server paused for lost access still shows, once fixed).
  if (!f.settings.enabled || f.settings.channelId === null) return { kind: "notShown", why: "cardsOff" };
  if (f.link.state === "needs_relink") return { kind: "relink" };
  if (f.link.online === null) return { kind: "notSeen" };
  if (!f.link.online) return { kind: "offline" };
  if (!f.link.inParty) return { kind: "noParty" };
  if (!canPostCards(f.settings)) return { kind: "notShown", why: "cardsOff" };
  if (f.partyElsewhere !== null && f.settings.show !== "all" && !isJoinable(f.partyElsewhere))
    return { kind: "notShown", why: "inviteOnly" };
  return { kind: "notShown", why: "notYet", joinableOnly: f.settings.show !== "all" };
}

/** Who is asked about, as the answer names them. */
export interface Subject {
  self: boolean;
  /** A Discord mention, `<@id>` (answers never ping). */
  mention: string;
}

/** The answer for every status but a card. */
export function partyStatusText(status: Exclude<PartyStatus, { kind: "card" }>, who: Subject): string {
  const { self, mention } = who;
  switch (status.kind) {
    case "notLinked":
      return self
        ? "You have no PlayStation account linked. Run `/link` to link one."
        : `${mention} has not linked a PlayStation account.`;
    case "private":
      return self
        ? "Your parties are not shown in this server. Turn them on with `/privacy announce on`."
        : `${mention} does not share their parties in this server.`;
    case "relink":
      return self
        ? "PlayStation stopped accepting your sign-in, so the bot cannot see your parties. Run `/link` to sign in again."
        : `The bot cannot see ${mention}'s parties until they sign in to PlayStation again.`;
    case "notSeen":
      return self
        ? "The bot has not checked your PlayStation presence yet. Try again in a minute."
        : `The bot has not checked ${mention}'s PlayStation presence yet. Try again in a minute.`;
    case "offline":
      return self ? "You are offline on PlayStation." : `${mention} is offline on PlayStation.`;
    case "noParty":
      return self ? "You are online but not in a party." : `${mention} is online but not in a party.`;
    case "notShown":
      switch (status.why) {
        case "cardsOff":
          return `Party cards are off in this server, so ${self ? "your" : `${mention}'s`} party is not shown here.`;
        case "inviteOnly":
          return `${self ? "Your" : `${mention}'s`} party is invite-only, and this server shows joinable parties only.`;
        case "notYet": {
          const who = self ? "You are" : `${mention} is`;
          return status.joinableOnly
            ? `${who} in a party that has no card here: it is invite-only (this server shows joinable parties only), or it started moments ago and gets its card within a minute.`
            : `${who} in a party that has no card here yet: it gets its card within a minute.`;
        }
      }
  }
}
