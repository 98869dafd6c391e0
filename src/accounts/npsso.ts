import { z } from "zod";

/**
 * What a member pastes into the sign-in form: the 64-character NPSSO, or the
 * whole `{"npsso":"..."}` answer of the ssocookie page (people copy all of it).
 */
const NPSSO = /^[A-Za-z0-9._~+/=-]{64}$/;

export type NpssoProblem = "empty" | "not_signed_in" | "wrong_length" | "bad_characters";

export type NpssoParse = { ok: true; npsso: string } | { ok: false; problem: NpssoProblem };

const ssocookieAnswer = z.looseObject({ npsso: z.string().optional(), error: z.string().optional() });

export function parseNpssoInput(raw: unknown): NpssoParse {
  if (typeof raw !== "string") return { ok: false, problem: "empty" };
  let value = raw.trim();
  if (!value) return { ok: false, problem: "empty" };
  if (value.startsWith("{") || value.includes('"npsso"')) {
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      json = undefined;
    }
    const parsed = ssocookieAnswer.safeParse(json);
    if (parsed.success && parsed.data.npsso !== undefined) value = parsed.data.npsso.trim();
    else if (parsed.success && parsed.data.error !== undefined)
      return { ok: false, problem: "not_signed_in" };
    else {
      // A partly copied answer: take the value of the npsso key if it is there.
      const m = /"npsso"\s*:\s*"([^"]*)"/.exec(value);
      if (!m) return { ok: false, problem: "wrong_length" };
      value = (m[1] ?? "").trim();
    }
  } else {
    value = value.replace(/^npsso\s*[=:]\s*/i, "").replace(/^["']|["']$/g, "");
  }
  if (value.length !== 64) return { ok: false, problem: "wrong_length" };
  if (!NPSSO.test(value)) return { ok: false, problem: "bad_characters" };
  return { ok: true, npsso: value };
}

/** The zod edge for the form body: one field, parsed as above. */
export const npssoFormSchema = z.object({ npsso: z.string().max(4096).optional() });
