// The hub's bearer tokens: their shape (what secret scanners match), the stored hash, the
// comparison, and how an Authorization header is read (RFC 6750 §2.1, scheme case-insensitive as
// RFC 7235 §2.1 says).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { bearerToken, hashToken, newToken, tokenMatches } from "../../lambdas/inventory/token.js";

test("a new token is its prefix and 256 random bits in base64url, never the same twice", () => {
  const agent = newToken("rdl_agent");
  const admin = newToken("rdl_admin");
  assert.match(agent, /^rdl_agent_[A-Za-z0-9_-]{43}$/);
  assert.match(admin, /^rdl_admin_[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(agent.slice("rdl_agent_".length), "base64url").length, 32);
  assert.notEqual(newToken("rdl_agent"), newToken("rdl_agent"));
});

test("the stored hash is the token's SHA-256 in hex (FIPS 180-2's test vector)", () => {
  assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const token = newToken("rdl_agent");
  assert.equal(hashToken(token), createHash("sha256").update(token).digest("hex"));
});

test("a token matches its own hash only, and a malformed stored hash refuses rather than throws", () => {
  const token = newToken("rdl_agent");
  const stored = hashToken(token);
  assert.equal(tokenMatches(token, stored), true);
  assert.equal(tokenMatches(newToken("rdl_agent"), stored), false);
  assert.equal(tokenMatches(`${token}x`, stored), false);
  assert.equal(tokenMatches(token, stored.slice(0, 32)), false, "a truncated hash");
  assert.equal(tokenMatches(token, ""), false, "no hash at all");
});

test("the Authorization header yields the bearer token, whatever the scheme's case and the spacing around it", () => {
  assert.equal(bearerToken({ authorization: "Bearer rdl_agent_abc" }), "rdl_agent_abc");
  assert.equal(bearerToken({ authorization: "bearer rdl_agent_abc" }), "rdl_agent_abc");
  assert.equal(bearerToken({ authorization: "BEARER rdl_agent_abc" }), "rdl_agent_abc");
  assert.equal(bearerToken({ authorization: "Bearer   rdl_agent_abc" }), "rdl_agent_abc");
  assert.equal(bearerToken({ authorization: "Bearer\trdl_agent_abc  " }), "rdl_agent_abc");
});

test("a header that is not exactly one bearer token yields none", () => {
  assert.equal(bearerToken({}), undefined);
  assert.equal(bearerToken({ authorization: "" }), undefined);
  assert.equal(bearerToken({ authorization: "Bearer" }), undefined);
  assert.equal(bearerToken({ authorization: "Bearer " }), undefined);
  assert.equal(bearerToken({ authorization: "Basic dXNlcjpwYXNz" }), undefined);
  assert.equal(bearerToken({ authorization: "Bearertoken" }), undefined, "no space after the scheme");
  assert.equal(bearerToken({ authorization: "XBearer token" }), undefined, "another scheme ending in Bearer");
  assert.equal(bearerToken({ authorization: "Bearer one two" }), undefined, "two tokens");
  assert.equal(bearerToken({ authorization: "Bearer a" }), "a", "a one-character token is still a token");
});
