export interface FaultMatcher {
  /** Upper-case HTTP method; any method when omitted. */
  method?: string;
  /** Tested against the route path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: RegExp | string;
}

export interface FaultSpec {
  status: number;
  /** Discord JSON error code (ignored for 429). */
  code?: number;
  message?: string;
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
  /** How many matching requests fail before the fault disarms itself (default: until cleared). */
  times?: number;
  /**
   * The answer is lost after Discord did the work: the request is carried out (a message
   * is created) and only then answered with this fault, as when a gateway times out on
   * its way back. Only successful requests are affected.
   */
  afterHandling?: boolean;
  /** Each matching request is hit with this probability (0..1) while armed; every one when omitted. */
  rate?: number;
}

interface ArmedFault {
  matcher: FaultMatcher;
  spec: FaultSpec;
  remaining: number;
}

/** One armed fault, to lift alone (`Faults.remove`) while the others stay. */
export interface FaultHandle {
  readonly fault: unknown;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  10003: "Unknown Channel",
  10008: "Unknown Message",
  10062: "Unknown interaction",
  50001: "Missing Access",
  50007: "Cannot send messages to this user",
  50013: "Missing Permissions",
};

export class Faults {
  private armed: ArmedFault[] = [];

  /** The dice for `rate` faults; a seeded one makes a soak run repeatable. */
  constructor(private readonly random: () => number = Math.random) {}

  add(matcher: FaultMatcher, spec: FaultSpec): FaultHandle {
    const fault: ArmedFault = { matcher, spec, remaining: spec.times ?? Number.POSITIVE_INFINITY };
    this.armed.push(fault);
    return { fault };
  }

  /** Lifts one fault; a fault already used up or cleared is no error. */
  remove(handle: FaultHandle): void {
    this.armed = this.armed.filter((f) => f !== handle.fault);
  }

  clear(): void {
    this.armed = [];
  }

  /** The first armed fault matching this request at this point (before or after handling it), consumed once. */
  take(method: string, path: string, afterHandling = false): FaultResponse | undefined {
    const fault = this.armed.find(
      (f) =>
        f.remaining > 0 &&
        (f.spec.afterHandling ?? false) === afterHandling &&
        matches(f.matcher, method, path) &&
        (f.spec.rate === undefined || this.random() < f.spec.rate),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return faultResponse(fault.spec);
  }
}

function matches(m: FaultMatcher, method: string, path: string): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  return typeof m.path === "string" ? m.path === path : m.path.test(path);
}

export function faultResponse(spec: FaultSpec): FaultResponse {
  if (spec.status === 429) {
    const retryAfter = spec.retryAfter ?? 1;
    const resetAt = Date.now() / 1000 + retryAfter;
    return {
      status: 429,
      headers: {
        "retry-after": String(retryAfter),
        "x-ratelimit-limit": "5",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": resetAt.toFixed(3),
        "x-ratelimit-reset-after": retryAfter.toFixed(3),
        "x-ratelimit-bucket": "simfaultbucket",
        "x-ratelimit-scope": "user",
      },
      body: {
        message: spec.message ?? "You are being rate limited.",
        retry_after: retryAfter,
        global: false,
      },
    };
  }
  if (spec.status >= 500) {
    return {
      status: spec.status,
      headers: {},
      body: { code: spec.code ?? 0, message: spec.message ?? "Server Error" },
    };
  }
  const code = spec.code ?? 0;
  return {
    status: spec.status,
    headers: {},
    body: { code, message: spec.message ?? DEFAULT_MESSAGES[code] ?? `${spec.status}: Error` },
  };
}
