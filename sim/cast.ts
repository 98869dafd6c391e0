/**
 * Who lives in the demo world, on both sides: each Discord member of the demo server and
 * the PSN account they may link, plus a PSN friend outside Discord. The sandbox, `npm run
 * sim` and the standalone simulators all build from this list, so the people match.
 */
export interface CastMember {
  /** The Discord username, and how the sandbox names the member. */
  key: string;
  onlineId: string;
  /** Has Manage Server (the "Admins" role). */
  admin: boolean;
  /** What they play when the world starts (null: online without a game, or offline). */
  game: string | null;
  online: boolean;
}

export const DEMO_GUILD_NAME = "PlayStation Friends";
export const DEMO_OWNER = "olivia";

export const DEMO_GAMES = [
  "Helldivers 2",
  "Gran Turismo 7",
  "Astro Bot",
  "Ratchet & Clank: Rift Apart",
] as const;

export const DEMO_MEMBERS: readonly CastMember[] = [
  { key: "ada", onlineId: "Ada_Admin", admin: true, game: null, online: false },
  { key: "alice", onlineId: "Alice_PS", admin: false, game: DEMO_GAMES[0], online: true },
  { key: "bob", onlineId: "Bob-Plays", admin: false, game: DEMO_GAMES[1], online: true },
  { key: "carol", onlineId: "carol_99", admin: false, game: null, online: true },
];

/** PSN players without a Discord account in the server: friends who join parties. */
export const DEMO_FRIENDS: readonly { key: string; onlineId: string; game: string }[] = [
  { key: "dave", onlineId: "Dave_Friend", game: DEMO_GAMES[0] },
];
