import type { SimState } from "./state.js";

export const DEFAULT_WAIT_MS = 10_000;

export class SimTimeoutError extends Error {
  readonly kind = "sim-timeout";
  constructor(what: string, timeoutMs: number) {
    super(`Discord sim: timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = "SimTimeoutError";
  }
}

/** Resolves with the first non-undefined `check()` result, re-checked on every state change. */
export function waitUntil<T>(
  state: SimState,
  check: () => T | undefined,
  what: string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise<T>((resolve, reject) => {
    const onChange = (): void => {
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        cleanup();
        reject(error);
        return;
      }
      if (value !== undefined) {
        cleanup();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new SimTimeoutError(what, timeoutMs));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      state.off("change", onChange);
    };
    state.on("change", onChange);
  });
}
