// The selector's edges the main suite leaves open, with the answers of Kubernetes' own parser and
// LabelSelectorAsSelector (apimachinery pkg/labels/selector.go, pkg/apis/meta/v1/helpers.go): what
// each piece of syntax parses to, the keywords that cannot be keys, the empty value, and a
// LabelSelector object's validation of every key and value.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { matches, parseSelector, SelectorError, selectorFromObject } from "../../../core/labels/selector.js";

describe("label selector syntax: what it parses to", () => {
  test("each operator becomes Kubernetes' requirement, in the order written", () => {
    assert.deepEqual(parseSelector("canary,!legacy,env=prod,tier==web,zone!=a,team in (x,y),stage notin (dev)"), [
      { key: "canary", operator: "Exists" },
      { key: "legacy", operator: "DoesNotExist" },
      { key: "env", operator: "In", values: ["prod"] },
      { key: "tier", operator: "In", values: ["web"] },
      { key: "zone", operator: "NotIn", values: ["a"] },
      { key: "team", operator: "In", values: ["x", "y"] },
      { key: "stage", operator: "NotIn", values: ["dev"] },
    ]);
  });

  test("`key=` and `key in ()`-style empty values select the empty value, as kubectl does", () => {
    assert.deepEqual(parseSelector("env=,tier=web"), [
      { key: "env", operator: "In", values: [""] },
      { key: "tier", operator: "In", values: ["web"] },
    ]);
    assert.equal(matches(parseSelector("env="), { env: "" }), true);
    assert.equal(matches(parseSelector("env="), { env: "prod" }), false);
    assert.equal(matches(parseSelector("env="), {}), false, "In needs the label to exist");
    assert.deepEqual(parseSelector("tier in (,web)"), [{ key: "tier", operator: "In", values: ["", "web"] }]);
  });

  test("`in` and `notin` are keywords, never keys", () => {
    for (const selector of ["in=x", "notin", "env=prod,in in (a)", "!notin"]) {
      assert.throws(
        () => parseSelector(selector),
        (error: Error) => error instanceof SelectorError && error.message.includes("expected a label key"),
        selector,
      );
    }
  });

  test("after a key, anything but an operator, a comma or the end is refused listing what may come", () => {
    assert.throws(
      () => parseSelector("env(prod)"),
      (error: Error) =>
        error instanceof SelectorError && error.message.endsWith("at position 3, found '(', expected '=', '==', '!=', 'in', 'notin', '<', '>', ',' or the end"),
    );
  });
});

/** An assert.throws check: a SelectorError whose message matches. */
const refused = (message: RegExp) => (error: unknown) => error instanceof SelectorError && message.test(error.message);

describe("LabelSelector objects: every key and value validated, as LabelSelectorAsSelector does", () => {
  test("matchLabels refuses an invalid key and an invalid value, naming the field", () => {
    assert.throws(() => selectorFromObject({ matchLabels: { "-env": "prod" } }), refused(/^matchLabels: label key "-env"/));
    assert.throws(() => selectorFromObject({ matchLabels: { env: "-prod" } }), refused(/^matchLabels: .*value "-prod" must be empty or consist of/));
  });

  test("matchExpressions refuses an invalid key, and an invalid value under In and NotIn, naming the expression", () => {
    assert.throws(
      () =>
        selectorFromObject({
          matchExpressions: [
            { key: "ok", operator: "Exists" },
            { key: "bad key", operator: "Exists" },
          ],
        }),
      refused(/^matchExpressions\[1\]: label key "bad key": the name part must consist of/),
    );
    for (const operator of ["In", "NotIn"]) {
      assert.throws(
        () => selectorFromObject({ matchExpressions: [{ key: "tier", operator, values: ["web", "trailing-"] }] }),
        refused(/^matchExpressions\[0\]: .*"trailing-".*start and end with a letter or digit/),
        operator,
      );
    }
  });

  test("NotIn and Exists from an object select as their syntax twins do", () => {
    const selector = selectorFromObject({
      matchExpressions: [
        { key: "tier", operator: "NotIn", values: ["api", "worker"] },
        { key: "env", operator: "Exists" },
      ],
    });
    assert.deepEqual(selector, parseSelector("tier notin (api,worker),env"));
    assert.equal(matches(selector, { env: "prod", tier: "web" }), true);
    assert.equal(matches(selector, { env: "prod", tier: "api" }), false);
    assert.equal(matches(selector, { env: "prod" }), true, "NotIn holds for a missing label");
    assert.equal(matches(selector, { tier: "web" }), false);
  });
});
