import { eq } from "drizzle-orm";
import { dbOf, type Store } from "./client.js";
import { meta } from "./schema.js";

export async function getMeta(store: Store, key: string): Promise<string | undefined> {
  const db = dbOf(store);
  return db.select().from(meta).where(eq(meta.key, key)).get()?.value;
}

export async function setMeta(store: Store, key: string, value: string): Promise<void> {
  const db = dbOf(store);
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
}
