import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { matches, parseSelector, SelectorError, selectorFromObject } from "../../../core/labels/selector.js";
import { labelKeyProblem, labelProblems, labelValueProblem } from "../../../contract/labels.js";

const prodWeb = { env: "prod", tier: "web", region: "eu-west-1", "example.com/team": "payments", replicas: "5" };

describe("label selector syntax", () => {
  const cases: [string, boolean][] = [
    ["", true],
    ["env=prod", true],
    ["env==prod", true],
    ["env!=prod", false],
    ["env=staging", false],
    ["tier in (web,api)", true],
    ["tier in (api, worker)", false],
    ["tier notin (api)", true],
    ["canary", false],
    ["!canary", true],
    ["region", true],
    ["env=prod,tier in (web,api),!canary", true],
    ["env=prod,canary", false],
    ["example.com/team=payments", true],
    ["replicas>3", true],
    ["replicas<3", false],
    ["missing!=x", true],
    ["missing notin (x)", true],
    ["  env = prod ,  tier  in  ( web )  ", true],
  ];
  for (const [selector, expected] of cases) {
    test(`"${selector}" ${expected ? "matches" : "does not match"}`, () => {
      assert.equal(matches(parseSelector(selector), prodWeb), expected);
    });
  }

  const bad: [string, RegExp][] = [
    ["env=prod,", /position 9, found the end, expected a label key/],
    ["tier in web", /found 'web', expected '\('/],
    ["tier in (web", /found the end, expected ',' or '\)'/],
    ["env=pr od", /found 'od', expected ',' or the end/],
    ["Bad Key=1", /found 'Key'/],
    ["-env=prod", /label key "-env"/],
    ["env=-prod", /value "-prod" must be empty or consist of/],
    ["a/b/c=1", /prefix "a\/b" must be a DNS-1123 subdomain/],
    ["replicas>x", /expected an integer/],
    [`${"k".repeat(64)}=v`, /name part must be at most 63 characters/],
    ["=prod", /expected a label key/],
  ];
  for (const [selector, message] of bad) {
    test(`"${selector.slice(0, 30)}" is refused with a precise message`, () => {
      assert.throws(
        () => parseSelector(selector),
        (error: Error) => error instanceof SelectorError && message.test(error.message),
      );
    });
  }
});

// Gt and Lt as Kubernetes has them (apimachinery pkg/labels/selector.go): the label's value and the
// operand are read with strconv.ParseInt(s, 10, 64); a missing label or one that is not an int64
// does not match; an operand that is not an int64, or not a valid label value, makes the selector
// invalid (NewRequirement).
describe("label selector: > and <", () => {
  const matching = (selector: string, labels: Record<string, string>) => matches(parseSelector(selector), labels);

  test("> and < are strict at the boundary", () => {
    assert.equal(matching("replicas>5", { replicas: "5" }), false);
    assert.equal(matching("replicas>4", { replicas: "5" }), true);
    assert.equal(matching("replicas<5", { replicas: "5" }), false);
    assert.equal(matching("replicas<6", { replicas: "5" }), true);
    assert.equal(matching("replicas>0", { replicas: "0" }), false);
    assert.equal(matching("replicas<1", { replicas: "0" }), true);
  });

  test("compares numbers, not strings: 10 > 9, leading zeros are the same number", () => {
    assert.equal(matching("replicas>9", { replicas: "10" }), true);
    assert.equal(matching("replicas<9", { replicas: "10" }), false);
    assert.equal(matching("replicas>6", { replicas: "007" }), true);
    assert.equal(matching("replicas<007", { replicas: "6" }), true);
  });

  test("a missing label or a value that is not an integer matches neither > nor <", () => {
    for (const selector of ["replicas>0", "replicas<99"]) {
      assert.equal(matching(selector, {}), false, `${selector} against no label`);
      for (const value of ["", "five", "5a", "5.0", "1e3", " 5", "0x10"])
        assert.equal(matching(selector, { replicas: value }), false, `${selector} against ${JSON.stringify(value)}`);
    }
  });

  test("int64 exactly: beyond 2^53 compares without rounding, beyond int64 does not match", () => {
    assert.equal(matching("big>9007199254740992", { big: "9007199254740993" }), true);
    assert.equal(matching("big<9007199254740993", { big: "9007199254740992" }), true);
    assert.equal(matching("big>9223372036854775806", { big: "9223372036854775807" }), true);
    assert.equal(matching("big>0", { big: "9223372036854775808" }), false, "2^63 is not an int64");
    assert.equal(matching("big<0", { big: "-9223372036854775809" }), false);
  });

  test("an operand that is not an int64 or not a valid label value is refused", () => {
    for (const selector of ["replicas>", "replicas>x", "replicas>5.5", "replicas<1e3", "replicas>9223372036854775808"])
      assert.throws(
        () => parseSelector(selector),
        (error: Error) => error instanceof SelectorError && error.message.includes("expected an integer"),
        selector,
      );
    // ParseInt reads -1, but a label value must start with a letter or digit: Kubernetes refuses it.
    assert.throws(
      () => parseSelector("replicas>-1"),
      (error: Error) => error instanceof SelectorError && error.message.includes("must be empty or consist of"),
    );
    assert.doesNotThrow(() => parseSelector("replicas>9223372036854775807"));
  });
});

describe("LabelSelector objects (matchLabels, matchExpressions)", () => {
  test("matchLabels and matchExpressions are ANDed", () => {
    const selector = selectorFromObject({
      matchLabels: { env: "prod" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["web", "api"] },
        { key: "canary", operator: "DoesNotExist" },
      ],
    });
    assert.equal(matches(selector, prodWeb), true);
    assert.equal(matches(selector, { ...prodWeb, canary: "true" }), false);
    assert.equal(matches(selector, { ...prodWeb, env: "dev" }), false);
  });

  test("an unknown operator or a missing value list is refused naming the expression", () => {
    assert.throws(() => selectorFromObject({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }), /matchExpressions\[0\]: operator "Gt"/);
    assert.throws(() => selectorFromObject({ matchExpressions: [{ key: "a", operator: "In" }] }), /needs at least one value/);
    assert.throws(() => selectorFromObject({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }), /takes no values/);
  });
});

describe("label validation", () => {
  test("accepts what Kubernetes accepts", () => {
    assert.deepEqual(labelProblems({ "app.kubernetes.io/name": "web", env: "", "a_b.c-d": "X_y.z-1" }), []);
  });
  test("rejects what Kubernetes rejects", () => {
    assert.match(labelKeyProblem("Example.com/x")!, /prefix "Example.com" must be a DNS-1123 subdomain/);
    assert.match(labelKeyProblem("/x")!, /prefix before '\/' must not be empty/);
    assert.match(labelKeyProblem("x/")!, /name part must not be empty/);
    assert.match(labelKeyProblem("has space")!, /name part must consist of/);
    assert.match(labelValueProblem("v".repeat(64))!, /at most 63 characters/);
    assert.match(labelValueProblem("trailing-")!, /start and end with a letter or digit/);
  });
});
