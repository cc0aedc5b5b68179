import assert from "node:assert/strict";
import { test } from "node:test";
import { signWebhookBody, verifyWebhookSignature } from "../../lambdas/generate/webhook-signature.js";

// GitHub's documented example (docs.github.com, "Validating webhook deliveries").
const secret = "It's a Secret to Everybody";
const payload = "Hello, World!";
const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

test("GitHub's documented example verifies, as a string or as raw bytes", () => {
  assert.equal(signWebhookBody(secret, payload), signature);
  assert.deepEqual(verifyWebhookSignature(secret, payload, signature), { ok: true });
  assert.deepEqual(verifyWebhookSignature(Buffer.from(secret), new TextEncoder().encode(payload), signature), { ok: true });
  assert.deepEqual(verifyWebhookSignature(secret, payload, [signature]), { ok: true }, "a Node header array of one");
  assert.deepEqual(verifyWebhookSignature(secret, payload, signature.replace("757107ea", "757107EA")), { ok: true }, "hex case does not matter");
});

test("each failure names its reason", () => {
  const reason = (...args: Parameters<typeof verifyWebhookSignature>) => {
    const check = verifyWebhookSignature(...args);
    assert.equal(check.ok, false);
    return check.reason;
  };
  assert.equal(reason(secret, payload, undefined), "missing");
  assert.equal(reason(secret, payload, null), "missing");
  assert.equal(reason(secret, payload, ""), "missing");
  assert.equal(reason(secret, payload, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"), "format", "no sha256= prefix");
  assert.equal(reason(secret, payload, "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"), "format");
  assert.equal(reason(secret, payload, signature.slice(0, -2)), "format", "short digest");
  assert.equal(reason(secret, payload, `${signature}00`), "format", "long digest");
  assert.equal(reason(secret, payload, signature.replace(/.$/, "g")), "format", "not hex");
  assert.equal(reason(secret, payload, [signature, signature]), "format", "header repeated");
  assert.equal(reason(secret, `${payload} `, signature), "mismatch", "body changed");
  assert.equal(reason("another secret", payload, signature), "mismatch", "wrong secret");
  assert.equal(reason(secret, payload, signature.replace(/.$/, "f")), "mismatch", "one digit off");
  assert.equal(reason("", payload, signature), "no-secret");
  assert.equal(reason(undefined, payload, signature), "no-secret");
});

test("messages say what is wrong", () => {
  const check = verifyWebhookSignature(secret, payload, undefined);
  assert.ok(!check.ok && check.message.includes("missing X-Hub-Signature-256"));
});
