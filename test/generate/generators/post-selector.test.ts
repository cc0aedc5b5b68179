// The post-generator selector (Generators-Post-Selector.md): Transform in
// applicationset/generators/generator_spec_processor.go flattens each param set and matches it
// with utils.LabelSelectorAsSelector (applicationset/utils/selector.go), which validates keys as
// qualified names but leaves values unchecked.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { context, fieldError, generateParams } from "./helpers.js";

const elements = [
  { cluster: "engineering-dev", url: "https://kubernetes.default.svc", env: "staging" },
  { cluster: "engineering-prod", url: "https://kubernetes.default.svc", env: "prod" },
  { cluster: "sandbox", url: "https://sandbox.example.com" },
];

async function select(selector: unknown, goTemplate = false): Promise<unknown[]> {
  const params = await generateParams({ list: { elements }, selector }, context({ goTemplate }));
  return params.map((p) => p.cluster);
}

describe("post-selector matching (selector.go Requirement.Matches)", () => {
  it("matchLabels: equality; a value is not checked as a label value, so a URL matches", async () => {
    assert.deepEqual(await select({ matchLabels: { env: "prod" } }), ["engineering-prod"]);
    assert.deepEqual(await select({ matchLabels: { url: "https://kubernetes.default.svc" } }), ["engineering-dev", "engineering-prod"]);
  });

  it("In: the key must be present with one of the values", async () => {
    assert.deepEqual(await select({ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] }), [
      "engineering-dev",
      "engineering-prod",
    ]);
  });

  it("NotIn: a set without the key matches", async () => {
    assert.deepEqual(await select({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }), ["engineering-dev", "sandbox"]);
  });

  it("Exists and DoesNotExist, with no values given", async () => {
    assert.deepEqual(await select({ matchExpressions: [{ key: "env", operator: "Exists" }] }), ["engineering-dev", "engineering-prod"]);
    assert.deepEqual(await select({ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }), ["sandbox"]);
    assert.deepEqual(await select({ matchExpressions: [{ key: "env", operator: "DoesNotExist", values: [] }] }), ["sandbox"]);
  });

  it("every requirement must hold (matchLabels and matchExpressions together)", async () => {
    const selector = { matchLabels: { url: "https://kubernetes.default.svc" }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["staging"] }] };
    assert.deepEqual(await select(selector), ["engineering-prod"]);
  });

  it("an empty selector keeps everything; a null one is no selector", async () => {
    assert.deepEqual(await select({}), ["engineering-dev", "engineering-prod", "sandbox"]);
    assert.deepEqual(await select(null), ["engineering-dev", "engineering-prod", "sandbox"]);
  });

  it("goTemplate: nested params are matched by their flattened keys, leaves printed with %v (flattenParameters)", async () => {
    const nested = [
      { cluster: "a", meta: { env: "prod", replicas: 3, enabled: true, zones: ["x", "y"] } },
      { cluster: "b", meta: { env: "dev", replicas: 1, enabled: false, zones: [] } },
    ];
    const run = async (selector: unknown) =>
      (await generateParams({ list: { elements: nested }, selector }, context({ goTemplate: true }))).map((p) => p.cluster);
    assert.deepEqual(await run({ matchLabels: { "meta.env": "prod" } }), ["a"]);
    assert.deepEqual(await run({ matchLabels: { "meta.replicas": "1" } }), ["b"]);
    assert.deepEqual(await run({ matchLabels: { "meta.enabled": "true" } }), ["a"]);
    assert.deepEqual(await run({ matchLabels: { "meta.zones.1": "y" } }), ["a"]);
    // An empty list flattens to nothing, so the key does not exist.
    assert.deepEqual(await run({ matchExpressions: [{ key: "meta.zones.0", operator: "DoesNotExist" }] }), ["b"]);
  });

  it("cluster params, plain and goTemplate: metadata.labels.<key> (Generators-Post-Selector.md)", async () => {
    for (const goTemplate of [false, true]) {
      const params = await generateParams(
        { clusters: {}, selector: { matchLabels: { "metadata.labels.environment": "staging", "metadata.labels.argocd.argoproj.io/secret-type": "cluster" } } },
        context({ goTemplate }),
      );
      assert.deepEqual(
        params.map((p) => p.name),
        ["staging-01"],
      );
    }
  });
});

describe("post-selector errors name the field (LabelSelectorAsSelector, newRequirement)", () => {
  const field = "spec.generators[0].selector";
  const rejects = (selector: unknown, at: string, ...includes: string[]) =>
    assert.rejects(generateParams({ list: { elements }, selector }, context()), fieldError(at, ...includes));

  it("the selector's shape", async () => {
    await rejects("env=prod", field, "must be a label selector");
    await rejects({ matchLabel: { env: "prod" } }, `${field}.matchLabel`, "unknown selector field");
    await rejects({ matchLabels: ["env"] }, `${field}.matchLabels`, "must be a map of strings");
    await rejects({ matchLabels: { env: 1 } }, `${field}.matchLabels.env`, "must be a string");
    await rejects({ matchExpressions: { key: "env" } }, `${field}.matchExpressions`, "must be a list");
    await rejects({ matchExpressions: ["env"] }, `${field}.matchExpressions[0]`, "must be an object");
    await rejects({ matchExpressions: [{ key: "env", operator: "In", value: ["a"] }] }, `${field}.matchExpressions[0].value`, "unknown field");
  });

  it("keys must be qualified names (validateLabelKey)", async () => {
    await rejects({ matchLabels: { "bad key": "x" } }, `${field}.matchLabels`, "bad key");
    await rejects({ matchExpressions: [{ key: "bad key", operator: "Exists" }] }, `${field}.matchExpressions[0].key`, "bad key");
    await rejects({ matchExpressions: [{ operator: "Exists" }] }, `${field}.matchExpressions[0].key`, "must be a string");
  });

  it("values: a list of strings, non-empty for In and NotIn, empty for Exists and DoesNotExist", async () => {
    await rejects({ matchExpressions: [{ key: "env", operator: "In", values: "prod" }] }, `${field}.matchExpressions[0].values`, "list of strings");
    await rejects({ matchExpressions: [{ key: "env", operator: "In", values: ["prod", 1] }] }, `${field}.matchExpressions[0].values`, "list of strings");
    await rejects(
      { matchExpressions: [{ key: "env", operator: "In", values: [] }] },
      `${field}.matchExpressions[0].values`,
      "for 'in', 'notin' operators, values set can't be empty",
    );
    await rejects(
      { matchExpressions: [{ key: "env", operator: "NotIn" }] },
      `${field}.matchExpressions[0].values`,
      "for 'in', 'notin' operators, values set can't be empty",
    );
    await rejects(
      { matchExpressions: [{ key: "env", operator: "Exists", values: ["prod"] }] },
      `${field}.matchExpressions[0].values`,
      "values set must be empty for exists and does not exist",
    );
    await rejects(
      { matchExpressions: [{ key: "env", operator: "DoesNotExist", values: ["prod"] }] },
      `${field}.matchExpressions[0].values`,
      "values set must be empty for exists and does not exist",
    );
  });

  it("the operator is one of In, NotIn, Exists, DoesNotExist, spelled as in metav1", async () => {
    await rejects({ matchExpressions: [{ key: "env", operator: "in", values: ["prod"] }] }, `${field}.matchExpressions[0].operator`, '"in" is not a valid');
    await rejects({ matchExpressions: [{ key: "env", values: ["prod"] }] }, `${field}.matchExpressions[0].operator`, '"" is not a valid');
  });

  it("a nested child's selector is named by its own path", async () => {
    await assert.rejects(
      generateParams(
        { matrix: { generators: [{ list: { elements }, selector: { matchLabels: { "": "x" } } }, { list: { elements: [{ b: "1" }] } }] } },
        context(),
      ),
      fieldError("spec.generators[0].matrix.generators[0].selector.matchLabels"),
    );
  });
});
