// The contract's limits at their edges: names as Kubernetes bounds them (DNS-1123 label 63,
// subdomain 253; label keys and values), commit ids, UTF-8 sizes as DynamoDB counts them, how an
// error names its field, and how much of the input an error quotes back.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ApplicationDeletion,
  deployBranchOf,
  Dns1123Label,
  Dns1123Subdomain,
  echo,
  fieldPath,
  labelKeyProblem,
  labelValueProblem,
  parseWith,
  Revision,
  Timestamp,
  utf8Length,
  utf8String,
} from "../../contract/index.js";
import * as z from "zod";

/** The first problem zod reports, or undefined when the value is accepted. */
const problem = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;

describe("names", () => {
  test("a DNS-1123 label: 1 to 63 lower-case letters, digits and inner '-'", () => {
    for (const ok of ["a", "0", "a-0", "x".repeat(63)]) assert.equal(problem(Dns1123Label, ok), undefined, ok);
    assert.equal(problem(Dns1123Label, ""), "must not be empty");
    assert.equal(problem(Dns1123Label, "x".repeat(64)), "must be at most 63 characters");
    for (const bad of ["-a", "a-", "A", "a.b", "a_b"]) assert.match(problem(Dns1123Label, bad) ?? "", /^must be a DNS-1123 label/, bad);
  });

  test("a DNS-1123 subdomain: up to 253, dot-separated labels", () => {
    for (const ok of ["a", "a.b", "guestbook-ui.v2", "x".repeat(253)]) assert.equal(problem(Dns1123Subdomain, ok), undefined, ok);
    assert.equal(problem(Dns1123Subdomain, "x".repeat(254)), "must be at most 253 characters");
    for (const bad of [".a", "a.", "a..b", "a.-b", "A.b"]) assert.match(problem(Dns1123Subdomain, bad) ?? "", /^must be a DNS-1123 subdomain/, bad);
  });

  test("a revision is a full SHA-1 or SHA-256 commit id in lower-case hex", () => {
    assert.equal(problem(Revision, "a".repeat(40)), undefined);
    assert.equal(problem(Revision, "0".repeat(64)), undefined);
    for (const bad of ["a".repeat(39), "a".repeat(41), "a".repeat(63), "A".repeat(40), `${"a".repeat(39)}g`])
      assert.notEqual(problem(Revision, bad), undefined, bad);
  });

  test("a timestamp carries its zone, as Kubernetes writes them", () => {
    assert.equal(problem(Timestamp, "2026-11-23T10:00:00Z"), undefined);
    assert.equal(problem(Timestamp, "2026-11-23T10:00:00+02:00"), undefined);
    assert.notEqual(problem(Timestamp, "2026-11-23T10:00:00"), undefined);
  });

  test("a deploy branch is radial/clusters/<cluster>", () => {
    assert.equal(deployBranchOf("prod-eu-1"), "radial/clusters/prod-eu-1");
  });
});

describe("labels, as apimachinery's IsQualifiedName and IsValidLabelValue", () => {
  test("a key's prefix is at most 253 characters and its name at most 63", () => {
    assert.equal(labelKeyProblem(`${"p".repeat(253)}/${"n".repeat(63)}`), undefined);
    assert.match(labelKeyProblem(`${"p".repeat(254)}/n`) ?? "", /the prefix must be at most 253 characters$/);
    assert.match(labelKeyProblem(`p/${"n".repeat(64)}`) ?? "", /the name part must be at most 63 characters$/);
    assert.equal(labelKeyProblem("a_b.c-d"), undefined);
    assert.equal(labelKeyProblem("x"), undefined, "a one-character name");
  });

  test("a value is empty or up to 63 characters, starting and ending alphanumeric", () => {
    for (const ok of ["", "v", "v".repeat(63), "a_b.c-D"]) assert.equal(labelValueProblem(ok), undefined, ok);
    assert.equal(labelValueProblem("v".repeat(64)), `label value "${"v".repeat(64)}" must be at most 63 characters`);
    assert.equal(
      labelValueProblem("_v", "tier"),
      `label "tier": value "_v" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
    );
  });
});

describe("sizes in UTF-8 bytes, as DynamoDB counts them", () => {
  test("utf8Length agrees with Node's encoder at every width boundary, lone surrogates as U+FFFD", () => {
    const samples = [
      "",
      "a",
      "\u007f",
      "\u0080",
      "é",
      "\u07ff",
      "\u0800",
      "日本",
      "\uffff",
      "😀",
      "a😀b",
      "\ud800",
      "\udc00",
      "\ud800a",
      "\udc00\ud800",
      "\udbff\udfff",
    ];
    for (const text of samples) assert.equal(utf8Length(text), Buffer.byteLength(text, "utf8"), JSON.stringify(text));
  });

  test("utf8String(n) refuses more than n characters, and more than n bytes", () => {
    const four = utf8String(4);
    assert.equal(problem(four, "abcd"), undefined);
    assert.equal(problem(four, "日a"), undefined, "3 + 1 bytes");
    assert.notEqual(problem(four, "abcde"), undefined);
    assert.equal(problem(four, "日日"), "must be at most 4 bytes in UTF-8");
  });
});

describe("errors name the field and quote a bounded part of the input", () => {
  test("a field path reads as in JavaScript: dots for keys, brackets for indexes", () => {
    assert.equal(fieldPath(["applications", 3, "resources"]), "applications[3].resources");
    assert.equal(fieldPath([0, "name"]), "[0].name");
    assert.equal(fieldPath([]), "");
  });

  test("a message lists the first five problems and counts the rest", () => {
    const schema = z.array(z.string());
    const seven = parseWith(schema, [1, 2, 3, 4, 5, 6, 7], "list");
    assert.equal(seven.ok, false);
    assert.match(seven.message, /^invalid list: \[0\]: .*; \[4\]: [^;]*; and 2 more$/);
    assert.equal(seven.problems.length, 7);
    const five = parseWith(schema, [1, 2, 3, 4, 5], "list");
    assert.equal(five.ok, false);
    assert.doesNotMatch(five.message, /more/);
  });

  test("a __proto__ key anywhere is refused at its path, not silently dropped", () => {
    const parsed = parseWith(z.looseObject({}), JSON.parse('{"a":{"b":[{"__proto__":{"x":1}}]}}'), "body");
    assert.deepEqual(parsed, {
      ok: false,
      message: 'invalid body: a.b[0].__proto__: "__proto__" cannot be a key',
      problems: [{ field: "a.b[0].__proto__", problem: '"__proto__" cannot be a key' }],
    });
  });

  test("echo quotes up to 100 characters whole, else the first 100 and the length, never half a surrogate pair", () => {
    assert.equal(echo("x".repeat(100)), `"${"x".repeat(100)}"`);
    assert.equal(echo("x".repeat(101)), `"${"x".repeat(100)}…" (101 characters)`);
    assert.equal(echo(`${"x".repeat(99)}😀y`, "'"), `'${"x".repeat(99)}…' (102 characters)`);
  });
});

describe("the tombstone", () => {
  const tombstone = (metadata: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    apiVersion: "radial.dev/v1alpha1",
    kind: "ApplicationDeletion",
    metadata: { name: "guestbook", ...metadata },
    ...extra,
  });

  test("has exactly its fields and at most 32 finalizers", () => {
    const finalizers = Array.from({ length: 32 }, (_, i) => `f${i}`);
    assert.equal(problem(ApplicationDeletion, tombstone({ finalizers })), undefined);
    assert.notEqual(problem(ApplicationDeletion, tombstone({ finalizers: [...finalizers, "one-more"] })), undefined);
    assert.notEqual(problem(ApplicationDeletion, tombstone({}, { spec: {} })), undefined, "no other top-level field");
    assert.notEqual(problem(ApplicationDeletion, tombstone({ name: "Guestbook" })), undefined, "an Application name");
  });
});
