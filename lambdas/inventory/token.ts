import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Tokens are 256 bits from the CSPRNG with a recognisable prefix (so secret scanners and people
 * can tell what leaked). Only a SHA-256 hash is stored: the token has full entropy, so a slow
 * password hash would add cost and no safety.
 */
export function newToken(prefix: "rdl_agent" | "rdl_admin"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match?.[1];
}
