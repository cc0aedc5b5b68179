import { InvalidCursorError } from "../ports.js";

/** An opaque page token: the position a listing stopped at, as base64url JSON. */
export function encodePageCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** Reads a page token back, refusing one this hub did not issue (or a tampered one). */
export function decodePageCursor<T>(text: string, isValid: (value: T) => boolean): T {
  try {
    const position = JSON.parse(Buffer.from(text, "base64url").toString()) as T;
    if (position !== null && typeof position === "object" && isValid(position)) return position;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError("pageToken is not one this hub issued; start again without it");
}
