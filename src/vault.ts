/**
 * Encryption at rest for PSN tokens: AES-256-GCM, one fresh IV per value, an
 * optional context bound in as associated data (so a ciphertext copied into another
 * member's row does not decrypt), and the key id inside the stored value so the
 * operator can rotate keys: the old key still decrypts while every new write uses
 * the current one.
 *
 * Stored form: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type VaultErrorReason = "malformed" | "unknown_key" | "tampered";

export class VaultError extends Error {
  readonly kind = "vault" as const;
  constructor(
    readonly reason: VaultErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "VaultError";
  }
}

/** First 8 hex characters of sha256(key): names a key without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/** The key id inside a stored value, or null when it is not a vault value. */
export function keyIdOfStored(stored: string): string | null {
  const parts = stored.split(".");
  return parts.length === 5 && parts[0] === VERSION ? (parts[1] as string) : null;
}

export interface Vault {
  /** The id of the key new values are written with. */
  readonly currentKeyId: string;
  /** Every key id this vault can decrypt (the current key and the old one). */
  readonly knownKeyIds: ReadonlySet<string>;
  encrypt(plaintext: string, context?: string): string;
  decrypt(stored: string, context?: string): string;
  /** The key id a stored value was written with (to re-encrypt values under an old key). */
  keyIdOfValue(stored: string): string;
  needsReencryption(stored: string): boolean;
}

export function createVault(key: Buffer, oldKey: Buffer | null = null): Vault {
  for (const k of [key, oldKey]) {
    if (k && k.length !== 32) throw new VaultError("unknown_key", "a token encryption key must be 32 bytes");
  }
  const currentKeyId = keyIdOf(key);
  const keys = new Map<string, Buffer>([[currentKeyId, key]]);
  if (oldKey) keys.set(keyIdOf(oldKey), oldKey);

  const parse = (stored: string) => {
    const parts = stored.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new VaultError("malformed", "not a vault value");
    }
    const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
    return {
      keyId,
      iv: Buffer.from(iv, "base64url"),
      tag: Buffer.from(tag, "base64url"),
      data: Buffer.from(data, "base64url"),
    };
  };

  return {
    currentKeyId,
    knownKeyIds: new Set(keys.keys()),
    encrypt(plaintext, context = "") {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        currentKeyId,
        iv.toString("base64url"),
        tag.toString("base64url"),
        data.toString("base64url"),
      ].join(".");
    },
    decrypt(stored, context = "") {
      const { keyId, iv, tag, data } = parse(stored);
      const k = keys.get(keyId);
      if (!k) {
        throw new VaultError(
          "unknown_key",
          `value was encrypted with key ${keyId}, which is neither TOKEN_ENCRYPTION_KEY nor TOKEN_ENCRYPTION_KEY_OLD`,
        );
      }
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
        throw new VaultError("malformed", "not a vault value");
      try {
        const decipher = createDecipheriv("aes-256-gcm", k, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
      } catch {
        throw new VaultError("tampered", "value failed authentication (tampered, or another key or context)");
      }
    },
    keyIdOfValue(stored) {
      return parse(stored).keyId;
    },
    needsReencryption(stored) {
      return parse(stored).keyId !== currentKeyId;
    },
  };
}
