/**
 * The sandbox's view over HTTP, for tests that reach it in another process (`npm run
 * sandbox`, `npm run sim`): its control panel's actions as the page's script posts them,
 * and its live regions, read until they show what a test waits for.
 */

export type Regions = Record<"channels" | "inbox" | "psn" | "commands" | "activity", string>;

/** The view's live regions until `test` finds what it wants in them (the bot runs on its own time). */
export async function waitForRegions<T>(
  viewUrl: string,
  test: (regions: Regions) => T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: Regions | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(new URL("live", viewUrl));
    last = ((await res.json()) as { regions: Regions }).regions;
    const found = test(last);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} never showed in the view:\n${JSON.stringify(last)?.slice(0, 3000)}`);
}

export async function act(
  viewUrl: string,
  action: string,
  form: Record<string, string>,
): Promise<{ ok: boolean; message: string }> {
  const res = await fetch(new URL(`act/${action}`, viewUrl), {
    method: "POST",
    headers: { "x-sandbox": "fetch", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return (await res.json()) as { ok: boolean; message: string };
}

/** The value of the `<option>` labelled `label` (a regular expression's source) in a page. */
export const optionValue = (page: string, label: string): string | undefined =>
  new RegExp(`<option value="(\\d+)"[^>]*>${label}</option>`).exec(page)?.[1];
