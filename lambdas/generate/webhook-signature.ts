import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * GitHub-style webhook signatures: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the
 * raw request body (the exact bytes received, before any JSON parsing) keyed with the shared secret.
 *
 * Guarantees: the digest comparison is constant-time (timingSafeEqual over two 32-byte buffers; the
 * format check before it depends only on the header's shape, never on the secret); every failure
 * returns a precise reason, which the handler answers with 401 and starts nothing. An empty or
 * absent secret verifies nothing (reason `no-secret`), so a hub without a configured secret never
 * accepts a webhook.
 */
export const SIGNATURE_HEADER = "x-hub-signature-256";

export type SignatureFailure = "no-secret" | "missing" | "format" | "mismatch";

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

const FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** The header value GitHub would send for `body` signed with `secret`. */
export function signWebhookBody(secret: string | Uint8Array, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Checks `header` (the X-Hub-Signature-256 value; a Node header may arrive as an array when
 * repeated, which is refused) against `body` and `secret`.
 */
export function verifyWebhookSignature(
  secret: string | Uint8Array | undefined,
  body: string | Uint8Array,
  header: string | string[] | undefined | null,
): SignatureCheck {
  if (secret === undefined || secret.length === 0)
    return { ok: false, reason: "no-secret", message: "no webhook secret is configured on the hub; webhooks are refused" };
  if (header === undefined || header === null || header === "") return { ok: false, reason: "missing", message: "missing X-Hub-Signature-256 header" };
  if (Array.isArray(header)) {
    if (header.length !== 1) return { ok: false, reason: "format", message: `X-Hub-Signature-256 appears ${header.length} times; send it once` };
    header = header[0]!;
  }
  const match = FORMAT.exec(header.trim());
  if (!match) return { ok: false, reason: "format", message: "X-Hub-Signature-256 must be sha256= followed by 64 hex digits" };
  const given = Buffer.from(match[1]!, "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  if (!timingSafeEqual(given, expected))
    return { ok: false, reason: "mismatch", message: "X-Hub-Signature-256 does not match the body signed with the configured secret" };
  return { ok: true };
}
