/**
 * The store: what the rest of the bot holds of the database. Every function of src/db
 * takes it and returns a promise; the driver, the dialect and the drizzle handle stay
 * behind it, in src/db (./client.ts, which nothing outside src/db imports). The
 * composition root opens it with openStore.
 */
export { DatabaseDamagedError, openStore, type Store } from "./client.js";
