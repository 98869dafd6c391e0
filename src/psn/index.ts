export * from "./client.js";
export * from "./errors.js";
export { type RetryOptions, staticToken, type TokenProvider } from "./http.js";
export { shareIdOf } from "./share.js";
export { TokenManager, type TokenManagerOptions, type TokenStore } from "./tokens.js";
export type * from "./types.js";
