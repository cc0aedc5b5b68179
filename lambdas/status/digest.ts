import { createHash } from "node:crypto";

/** 128 bits of SHA-256 over the JSON of a reported value: tells a changed value from a repeated one. */
export function statusDigest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}
