/** The database's rows as reconcile's inputs. */
import type { CardRow } from "../../db/cards.js";
import type { Card } from "../reconcile.js";

export function cardOf(row: CardRow): Card {
  return {
    id: row.id,
    guildId: row.guildId,
    sessionId: row.sessionId,
    channelId: row.channelId,
    messageId: row.messageId,
    state: row.state,
    hash: row.hash,
    postedAt: row.postedAt,
  };
}

/** Member → the servers announcing them, turned into server → the members announced there. */
export function announcedByGuild(
  guildsOfMember: ReadonlyMap<string, readonly string[]>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [user, guildIds] of guildsOfMember) {
    for (const g of guildIds) {
      const set = out.get(g) ?? new Set<string>();
      set.add(user);
      out.set(g, set);
    }
  }
  return out;
}
