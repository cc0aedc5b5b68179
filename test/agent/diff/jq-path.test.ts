// ignoreDifferences' jq subset step by step (what each path form points at, what select keeps, and
// the error that names the offset and what was expected), and the rules' globs and JSON pointers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileIgnoreRules, IgnoreDifferenceError } from "../../../agent/diff/ignore.js";
import { JqPathError, locate, parseJqPath } from "../../../agent/diff/jq-path.js";
import type { KubeObject } from "../../../agent/kube/object.js";

const where = (document: unknown, expression: string) => locate(document, parseJqPath(expression));
const SUPPORTED = 'supported: paths (.a.b, ."k", .["k"], [n], []) and `| select(.path == literal)` (or !=)';
const refused = (expression: string, problem: string, offset: number) =>
  assert.throws(
    () => parseJqPath(expression),
    (error: unknown) =>
      error instanceof JqPathError &&
      error.message === `unsupported jqPathExpression ${JSON.stringify(expression)}: ${problem} at offset ${offset}; ${SUPPORTED}`,
    expression,
  );

describe("paths", () => {
  const doc = { a: { "k.e/y": 1, b: [10, 20, 30], c: { x: 1, y: 2 }, "": 5 }, list: [{ n: "p" }, { n: "q" }] };

  test("each form of step", () => {
    assert.deepEqual(where(doc, ".a.b"), [["a", "b"]]);
    assert.deepEqual(where(doc, '.a."k.e/y"'), [["a", "k.e/y"]]);
    assert.deepEqual(where(doc, '.a["k.e/y"]'), [["a", "k.e/y"]]);
    assert.deepEqual(where(doc, '.a.["k.e/y"]'), [["a", "k.e/y"]]);
    assert.deepEqual(where(doc, ".a.b[2]"), [["a", "b", 2]]);
    assert.deepEqual(where(doc, ".a.b[ 1 ]"), [["a", "b", 1]]);
    assert.deepEqual(where(doc, ".a.b[]"), [
      ["a", "b", 0],
      ["a", "b", 1],
      ["a", "b", 2],
    ]);
    assert.deepEqual(where(doc, ".a.c[]"), [
      ["a", "c", "x"],
      ["a", "c", "y"],
    ]);
    assert.deepEqual(where(doc, ".a?.b?[0]?"), [["a", "b", 0]]);
    assert.deepEqual(where(doc, '."a".b[0]'), [["a", "b", 0]]);
    assert.deepEqual(where(doc, ".a_1"), []);
    assert.deepEqual(where(doc, "."), [[]], "the document itself");
  });

  test("a path that is not there points nowhere: missing keys, indexes past the end, steps into scalars", () => {
    assert.deepEqual(where(doc, ".a.b[3]"), []);
    assert.deepEqual(where(doc, ".a.b[10]"), []);
    assert.deepEqual(where(doc, ".a.missing"), []);
    assert.deepEqual(where(doc, ".a.b.x"), [], "a key of a list");
    assert.deepEqual(where(doc, ".a.c[0]"), [], "an index of an object");
    assert.deepEqual(where(doc, '.a["k.e/y"].z'), [], "a key of a number");
    assert.deepEqual(where(doc, '.a["k.e/y"][]'), [], "the items of a number");
    assert.deepEqual(where({ a: null }, ".a.b"), []);
    assert.deepEqual(where({ toString: 1 }, ".constructor"), [], "only own keys");
  });

  test("select keeps the items whose field equals (or not) a JSON literal; a missing field is null", () => {
    const items = { list: [{ n: "p", v: 1 }, { n: "q", v: -2.5e1 }, { n: "r", v: true }, { n: "s", v: null }, { n: "t" }, { n: "u", v: "1" }] };
    const names = (expression: string) => where(items, expression).map((location) => items.list[location[1] as number]!.n);
    assert.deepEqual(names('.list[] | select(.n == "q")'), ["q"]);
    assert.deepEqual(names('.list[] | select(.n != "q")'), ["p", "r", "s", "t", "u"]);
    assert.deepEqual(names(".list[] | select(.v == 1)"), ["p"], '1 is not the string "1"');
    assert.deepEqual(names(".list[] | select(.v == -25)"), ["q"], "numbers by value, however written");
    assert.deepEqual(names(".list[] | select(.v == -2.5e1)"), ["q"]);
    assert.deepEqual(names(".list[] | select(.v == true)"), ["r"]);
    assert.deepEqual(names(".list[] | select(.v == null)"), ["s", "t"]);
    assert.deepEqual(names(".list[] | select(.v==false)"), []);
    assert.deepEqual(names('.list[]|select( .n == "p" )'), ["p"], "blanks anywhere between tokens");
    assert.deepEqual(names('.list[] | select(.n == "p\\"")'), [], "an escaped quote inside the literal");
  });
});

describe("what is refused, naming the offset and what was expected", () => {
  test("each error", () => {
    refused("a.b", "expected a path starting with .", 0);
    refused(".a.", "expected a field name after .", 3);
    refused(".a.1", "expected a field name after .", 3);
    refused(".a[x]", "expected an index, a quoted key or ]", 3);
    refused(".a[-1]", "expected an index, a quoted key or ]", 3);
    refused(".a[1", "expected ]", 4);
    refused('.a["k"', "expected ]", 6);
    refused('.a["k]', "expected a string", 3);
    refused(".a | select(.b = 1)", "expected == or !=", 15);
    refused(".a | select(.b == x)", "expected a literal", 18);
    refused(".a | select(.b == 1x)", "expected a literal", 18);
    refused(".a | select(.b == truex)", "expected a literal", 18);
    refused(".a | select(.b == 1", "expected )", 19);
    refused(".a .b", "unexpected text", 3);
    refused(".a | del(.b)", "expected a path starting with .", 5);
  });

  test("the rule is refused as a whole, with the expression named", () => {
    assert.throws(
      () => compileIgnoreRules([{ kind: "Deployment", jqPathExpressions: [".a", "a"] }]),
      (error: unknown) => {
        return error instanceof IgnoreDifferenceError && error.message.startsWith('unsupported jqPathExpression "a": expected a path starting with .');
      },
    );
  });
});

describe("rules", () => {
  const object = (apiVersion: string, kind: string, name = "web", namespace?: string) =>
    ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }) as KubeObject;
  const matches = (rule: Parameters<typeof compileIgnoreRules>[0][number], target: KubeObject) => compileIgnoreRules([rule])[0]!.matches(target);

  test("group and kind are globs: * any run, ? one character, anything else literal", () => {
    assert.equal(matches({ group: "apps", kind: "Deployment" }, object("apps/v1", "Deployment")), true);
    assert.equal(matches({ group: "ap?s", kind: "Deploy*" }, object("apps/v1", "Deployment")), true);
    assert.equal(matches({ group: "ap?s", kind: "D" }, object("apps/v1", "Deployment")), false, "anchored");
    assert.equal(matches({ group: "a?", kind: "Deployment" }, object("apps/v1", "Deployment")), false, "? is one character");
    assert.equal(matches({ group: "*.k8s.io", kind: "Ingress" }, object("networking.k8s.io/v1", "Ingress")), true);
    assert.equal(matches({ group: "*.k8s.io", kind: "Ingress" }, object("networkingxk8sxio/v1", "Ingress")), false, "a dot is a dot");
    assert.equal(matches({ group: "a+b", kind: "K" }, object("a+b/v1", "K")), true, "+ is literal");
    assert.equal(matches({ group: "a+b", kind: "K" }, object("aab/v1", "K")), false);
    assert.equal(matches({ kind: "ConfigMap" }, object("v1", "ConfigMap")), true, "no group: the core group");
    assert.equal(matches({ kind: "ConfigMap" }, object("apps/v1", "ConfigMap")), false);
  });

  test("jsonPointers: RFC 6901 tokens, list items by index, a pointer to nothing does nothing", () => {
    const rule = compileIgnoreRules([{ kind: "K", jsonPointers: ["/a/b~1c", "/list/1", "/list/9", "/list/x", "/missing/deep", "/e~0f", "/n/x"] }])[0]!;
    const document = { a: { "b/c": 1, d: 2 }, list: ["p", "q", "r"], "e~f": 3, n: 4, keep: true };
    rule.remove(document);
    assert.deepEqual(document, { a: { d: 2 }, list: ["p", "r"], n: 4, keep: true });
    assert.throws(
      () => compileIgnoreRules([{ kind: "K", jsonPointers: ["spec/replicas"] }]),
      (error: unknown) => error instanceof IgnoreDifferenceError && error.message === 'invalid jsonPointer "spec/replicas": must start with /',
    );
  });

  test("one expression's removals keep the other items in place; each expression runs on what the one before left, as Argo CD runs one del() after another", () => {
    const rule = compileIgnoreRules([{ kind: "K", jqPathExpressions: [".a[] | select(.drop == true)", ".b[0]", ".b[2]", ".c.x", ".c.z"] }])[0]!;
    const document = { a: [{ drop: true }, { keep: 1 }, { drop: true }, { keep: 2 }], b: ["b0", "b1", "b2", "b3"], c: { x: 1, y: 2, z: 3 } };
    rule.remove(document);
    assert.deepEqual(document, { a: [{ keep: 1 }, { keep: 2 }], b: ["b1", "b2"], c: { y: 2 } });
  });
});
