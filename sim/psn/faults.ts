/**
 * Fault injection for the PSN simulator: what a fault spec does to an answer.
 * The transforms are pure functions over plain JSON values.
 */

export const ENDPOINTS = [
  "authorize",
  "token",
  "profile",
  "presence",
  "presences",
  "friends",
  "parties",
  "invite",
  "share",
  "partyInfo",
  "accountsMe",
] as const;
export type SimEndpoint = (typeof ENDPOINTS)[number];

export interface FaultSpec {
  /** Answer with this status (and `body`, or PSN's usual error body for it) instead of the real answer. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (past the client's timeout, it sees a timeout). */
  delayMs?: number;
  /** Answer 200 with a body that is not JSON. */
  malformedJson?: boolean;
  /** Add fields PSN may add one day, everywhere in the answer. */
  extraFields?: boolean;
  /** Replace enum-like values with ones the client has never seen. */
  unknownEnums?: boolean;
  /** Leave out every field PSN has been seen to omit. */
  dropOptional?: boolean;
  /** Add a string field this many bytes long to the answer (one too large to read whole). */
  padBytes?: number;
  /** How many requests it affects (default 1; Infinity for all). */
  times?: number;
  /** Each request is hit with this probability (0..1) while the fault lasts; every one when omitted. */
  rate?: number;
  /**
   * Only requests made as this account (its bearer token, or the account the request names),
   * as when PSN fails one user's reads and not another's; any account when omitted.
   */
  accountId?: string;
  /**
   * With `status`: the error body quotes back the secrets of the request (its bearer token,
   * the NPSSO of its cookie, the refresh token or authorization code of its form) in this
   * shape, as a careless upstream or proxy might.
   */
  echoSecrets?: EchoShape;
}

/**
 * How an error body echoes a request's secrets: `json` `{"npsso":"…"}`, `colon`
 * `npsso: …`, `urlencoded` the form as a URL-encoded string (`refresh_token%3D…`),
 * `bare` the values alone, `base64` each value base64-encoded; all inside PSN's usual
 * `{"error":{"message":…}}`. `html`: an HTML error page holding the bare values.
 */
export const ECHO_SHAPES = ["json", "colon", "urlencoded", "bare", "base64", "html"] as const;
export type EchoShape = (typeof ECHO_SHAPES)[number];

/** The form fields whose values are secrets. */
const SECRET_FORM_FIELDS = ["refresh_token", "code", "npsso", "access_token"];

/** A request's secrets, named as they travelled: bearer token, NPSSO cookie, secret form fields. */
export function requestSecrets(request: {
  authorization?: string | undefined;
  cookie?: string | undefined;
  body: string;
}): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const bearer = /^Bearer (.+)$/.exec(request.authorization ?? "")?.[1];
  if (bearer) found.push(["access_token", bearer]);
  const npsso = /(?:^|;\s*)npsso=([^;]+)/.exec(request.cookie ?? "")?.[1];
  if (npsso) found.push(["npsso", npsso]);
  const form = new URLSearchParams(request.body);
  for (const field of SECRET_FORM_FIELDS) {
    const value = form.get(field);
    if (value) found.push([field, value]);
  }
  return found;
}

/** The error answer echoing `secrets` in `shape`: a JSON body, or an HTML page for `html`. */
export function echoBody(
  shape: EchoShape,
  secrets: Array<[string, string]>,
  status: number,
  referenceId: string,
): { body: unknown } | { raw: string; contentType: string } {
  const values = secrets.map(([, v]) => v);
  if (shape === "html") {
    return {
      raw: `<html><head><title>Error ${status}</title></head><body><h1>Error</h1><p>${values.join("<br>")}</p></body></html>`,
      contentType: "text/html;charset=UTF-8",
    };
  }
  const echoed = {
    json: () => JSON.stringify(Object.fromEntries(secrets)),
    colon: () => secrets.map(([k, v]) => `${k}: ${v}`).join(", "),
    urlencoded: () => encodeURIComponent(new URLSearchParams(secrets).toString()),
    bare: () => values.join(" "),
    base64: () => values.map((v) => Buffer.from(v).toString("base64")).join(" "),
  }[shape]();
  const usual = defaultErrorBody(status, referenceId) as { error: { code: number; message: string } };
  return {
    body: { error: { ...usual.error, referenceId, message: `${usual.error.message}: ${echoed}` } },
  };
}

const ENUM_KEYS = new Set([
  "availability",
  "onlineStatus",
  "platform",
  "launchPlatform",
  "format",
  "visibilityType",
  "joinableUserType",
  "size",
  "platformId",
  "token_type",
]);

const OPTIONAL_KEYS = new Set([
  "aboutMe",
  "avatars",
  "languages",
  "isPlus",
  "isOfficiallyVerified",
  "isMe",
  "personalDetail",
  "availability",
  "lastAvailableDate",
  "lastOnlineDate",
  "gameTitleInfoList",
  "npTitleIconUrl",
  "conceptIconUrl",
  "gameStatus",
  "platform",
  "sessionName",
  "maxMembers",
  "visibilityType",
  "joinableUserType",
  "id_token",
  "scope",
  "token_type",
  "shareImageUrl",
  "shareImageUrlDestination",
  "msPollingInterval",
  "inParty",
  "timeStarted",
  "joinableFrom",
]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function mapObjects(value: Json, fn: (obj: { [k: string]: Json }) => { [k: string]: Json }): Json {
  if (Array.isArray(value)) return value.map((v) => mapObjects(v, fn));
  if (value !== null && typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapObjects(v, fn);
    return fn(out);
  }
  return value;
}

export function addExtraFields(value: unknown): unknown {
  return mapObjects(value as Json, (o) => ({
    ...o,
    simFutureField: { added: "by the simulator", n: 1 },
    simFlag: true,
  }));
}

export function withUnknownEnums(value: unknown): unknown {
  return mapObjects(value as Json, (o) => {
    const out = { ...o };
    for (const [k, v] of Object.entries(out)) {
      if (ENUM_KEYS.has(k) && typeof v === "string") out[k] = `SIM_NEW_${k.toUpperCase()}`;
      if (k === "joinableFrom" && Array.isArray(v)) out[k] = [...v, "PS6"];
    }
    return out;
  });
}

export function dropOptionalFields(value: unknown): unknown {
  return mapObjects(value as Json, (o) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !OPTIONAL_KEYS.has(k))),
  );
}

/** PSN's usual body for an error status on the api hosts. */
export function defaultErrorBody(status: number, referenceId: string): unknown {
  const known: Record<number, [number, string]> = {
    400: [2105857, "Bad request"],
    401: [2241025, "Invalid token"],
    403: [2281486, "Not permitted by access control"],
    404: [2105356, "Resource not found"],
    429: [2138635, "Rate limit exceeded"],
  };
  const [code, message] = known[status] ?? [
    2097152 + status,
    status >= 500 ? "Internal Server Error" : "Error",
  ];
  return { error: { referenceId, code, message } };
}

/** Faults per endpoint, each used up after `times` requests. */
export class FaultBook {
  private readonly faults = new Map<SimEndpoint, Array<FaultSpec & { left: number }>>();

  /** The dice for `rate` faults; a seeded one makes a soak run repeatable. */
  constructor(private readonly random: () => number = Math.random) {}

  add(endpoint: SimEndpoint, spec: FaultSpec): void {
    const list = this.faults.get(endpoint) ?? [];
    list.push({ ...spec, left: spec.times ?? 1 });
    this.faults.set(endpoint, list);
  }

  /** The fault for this request (made as `accountId`, when known), counting it as used. */
  take(endpoint: SimEndpoint, accountId?: string): FaultSpec | undefined {
    const list = this.faults.get(endpoint);
    if (!list) return undefined;
    const spec = list.find(
      (f) =>
        (f.accountId === undefined || f.accountId === accountId) &&
        (f.rate === undefined || this.random() < f.rate),
    );
    if (!spec) return undefined;
    spec.left -= 1;
    if (spec.left <= 0) list.splice(list.indexOf(spec), 1);
    return spec;
  }

  clear(): void {
    this.faults.clear();
  }
}
