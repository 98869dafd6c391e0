import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createVault, keyIdOf, VaultError } from "../../src/vault.js";

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof VaultError) return err.reason;
    throw err;
  }
  return undefined;
}

describe("vault", () => {
  it("round-trips and never stores the plain text", () => {
    const vault = createVault(keyA);
    const secret = "eyJhbGciOi.some-access-token.sig";
    const stored = vault.encrypt(secret, "access:1");
    expect(stored).not.toContain(secret);
    expect(stored.startsWith(`v1.${keyIdOf(keyA)}.`)).toBe(true);
    expect(vault.decrypt(stored, "access:1")).toBe(secret);
  });

  it("uses a fresh IV per value", () => {
    const vault = createVault(keyA);
    expect(vault.encrypt("same")).not.toBe(vault.encrypt("same"));
  });

  it.each([
    ["ciphertext", 4],
    ["tag", 3],
    ["iv", 2],
  ])("detects a tampered %s", (_what, index) => {
    const vault = createVault(keyA);
    const parts = vault.encrypt("refresh-token-value").split(".");
    const bytes = Buffer.from(parts[index] as string, "base64url");
    bytes[0] = (bytes[0] as number) ^ 0x01;
    parts[index] = bytes.toString("base64url");
    expect(reasonOf(() => vault.decrypt(parts.join(".")))).toBe("tampered");
  });

  it("refuses another context (a value moved to another member's row)", () => {
    const vault = createVault(keyA);
    const stored = vault.encrypt("token", "refresh:alice");
    expect(reasonOf(() => vault.decrypt(stored, "refresh:bob"))).toBe("tampered");
  });

  it("refuses a value written under a key it does not hold", () => {
    const stored = createVault(keyA).encrypt("token");
    expect(reasonOf(() => createVault(keyB).decrypt(stored))).toBe("unknown_key");
  });

  it("refuses a wrong key that claims the right key id", () => {
    const stored = createVault(keyA).encrypt("token");
    const forged = stored.replace(keyIdOf(keyA), keyIdOf(keyB));
    expect(reasonOf(() => createVault(keyB).decrypt(forged))).toBe("tampered");
  });

  it.each(["", "plain", "v1.a.b.c", "v2.a.b.c.d"])("refuses malformed value %j", (value) => {
    expect(reasonOf(() => createVault(keyA).decrypt(value))).toBe("malformed");
  });

  it("rotation: old-key values still decrypt, new writes use the new key id", () => {
    const before = createVault(keyA);
    const oldValue = before.encrypt("refresh", "ctx");
    const after = createVault(keyB, keyA);
    expect(after.decrypt(oldValue, "ctx")).toBe("refresh");
    expect(after.needsReencryption(oldValue)).toBe(true);
    const rewritten = after.encrypt(after.decrypt(oldValue, "ctx"), "ctx");
    expect(after.keyIdOfValue(rewritten)).toBe(keyIdOf(keyB));
    expect(after.currentKeyId).toBe(keyIdOf(keyB));
    expect(after.needsReencryption(rewritten)).toBe(false);
    // Once the old key is dropped, only the re-encrypted value is readable.
    const done = createVault(keyB);
    expect(done.decrypt(rewritten, "ctx")).toBe("refresh");
    expect(reasonOf(() => done.decrypt(oldValue, "ctx"))).toBe("unknown_key");
  });
});
