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
