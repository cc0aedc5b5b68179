import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { InvalidCursorError } from "../ports.js";

/** Longer than any token this hub issues (a position is under 200 characters); checked before any work. */
const MAX_TOKEN_LENGTH = 1024;

/**
 * Opaque page tokens: the position a listing stopped at, as base64url JSON, followed by an
 * HMAC-SHA256 of it under the hub's secret. A token this hub did not issue (forged, tampered with,
 * cut short, or issued under another secret) is refused before its position is read, so a caller
 * can never steer a Query to a key of its choosing; the schema check after that guards against a
 * hub of another version that shared the secret.
 */
export class PageTokens {
  constructor(private readonly secret: Uint8Array) {}

  encode(position: object): string {
    const payload = Buffer.from(JSON.stringify(position)).toString("base64url");
    return `${payload}.${this.mac(payload).toString("base64url")}`;
  }

  /** The position in `text`; InvalidCursorError, which the API answers with 400 naming `pageToken`, for anything else. */
  decode<T>(text: string, schema: z.ZodType<T>): T {
    const [payload, mac, extra] = text.length <= MAX_TOKEN_LENGTH ? text.split(".") : [];
    if (payload !== undefined && mac !== undefined && extra === undefined && this.authentic(payload, mac)) {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(payload, "base64url").toString());
      } catch {
        json = undefined;
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
    }
    throw new InvalidCursorError("pageToken is not one this hub issued; start again without it");
  }

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.secret).update(payload).digest();
  }

  private authentic(payload: string, mac: string): boolean {
    const expected = this.mac(payload);
    const given = Buffer.from(mac, "base64url");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
