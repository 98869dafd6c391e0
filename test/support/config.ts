import { ConfigError, parseConfig } from "../../src/config.js";

/** The required settings, all valid: a test adds or overrides what it is about. */
export const VALID_ENV = {
  DISCORD_TOKEN: "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.token-for-tests",
  DISCORD_APPLICATION_ID: "123456789012345678",
  PUBLIC_BASE_URL: "https://psn.example.com/",
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  PSN_CLIENT_ID: "client",
  PSN_CLIENT_SECRET: "secret",
  PSN_REDIRECT_URI: "com.example://redirect",
};

/** The problems parseConfig lists for this environment (as given, not merged with VALID_ENV). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
