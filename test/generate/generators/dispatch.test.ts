// The generator entries themselves: which generator an entry names (GetRelevantGenerators in
// generator_spec_processor.go), how deep matrix and merge nest, the clusters, matrix and merge
// generators' own fields (cluster.go, matrix.go, merge.go), and the per-cluster evaluation the
// hub uses for cluster generators.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { paramsPerCluster } from "../../../lambdas/generate/generators/index.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import { clusters, context, fieldError, generateParams, list } from "./helpers.js";

const FIELD = "spec.generators[0]";

describe("generator entries", () => {
  it("an entry must be an object naming exactly one generator; a null generator field is no generator", async () => {
    await assert.rejects(generateParams("list", context()), fieldError(FIELD, "a generator must be an object"));
    await assert.rejects(generateParams({ list: "x" }, context()), fieldError(`${FIELD}.list`, "must be an object"));
    await assert.rejects(
      generateParams({ selector: {} }, context()),
      fieldError(FIELD, "names no generator: give exactly one of list, clusters, git, matrix, merge"),
    );
    await assert.rejects(generateParams({ list: { elements: [] }, clusters: {} }, context()), fieldError(FIELD, "names 2 generators (list, clusters)"));
    await assert.rejects(
      generateParams({ lists: {} }, context()),
      fieldError(`${FIELD}.lists`, 'unknown generator "lists" (Radial supports list, clusters, git, matrix, merge'),
    );
    assert.deepEqual(await generateParams({ list: { elements: [{ a: "1" }] }, clusters: null, git: undefined }, context()), [{ a: "1" }]);
  });

  it("unknown fields are refused with the generator's own fields listed", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ list: { element: [] } }, `${FIELD}.list.element`, "unknown field of the list generator (it has elements, elementsYaml, template)"],
      [{ clusters: { selectr: {} } }, `${FIELD}.clusters.selectr`, "unknown field of the clusters generator (it has selector, values, flatList, template)"],
      [{ matrix: { generator: [] } }, `${FIELD}.matrix.generator`, "unknown field of the matrix generator (it has generators, template)"],
      [{ merge: { mergeKey: [] } }, `${FIELD}.merge.mergeKey`, "unknown field of the merge generator (it has generators, mergeKeys, template)"],
    ];
    for (const [generator, field, message] of cases) await assert.rejects(generateParams(generator, context()), fieldError(field, message));
  });

  it("a top-level matrix or merge may carry a template; a child may have a null or empty one, not a real one", async () => {
    const children = [list({ a: "1" }), list({ a: "1", b: "2" })];
    assert.equal((await generateParams({ merge: { mergeKeys: ["a"], generators: children, template: { metadata: { name: "x" } } } }, context())).length, 1);
    assert.equal(
      (await generateParams({ matrix: { generators: [list({ a: "1" }), list({ b: "2" })], template: { metadata: { name: "x" } } } }, context())).length,
      1,
    );
    for (const template of [null, {}]) {
      const params = await generateParams({ matrix: { generators: [{ list: { elements: [{ a: "1" }], template } }, list({ b: "2" })] } }, context());
      assert.deepEqual(params, [{ a: "1", b: "2" }]);
    }
    await assert.rejects(
      generateParams({ matrix: { generators: [{ list: { elements: [], template: { metadata: { name: "x" } } } }, list()] } }, context()),
      fieldError(`${FIELD}.matrix.generators[0].list.template`, "ignored by Argo CD"),
    );
  });

  it("matrix and merge nest two levels: a merge inside a merge inside a merge is refused", async () => {
    const innermost = { merge: { mergeKeys: ["a"], generators: [list({ a: "1" }), list({ a: "1" })] } };
    const middle = { merge: { mergeKeys: ["a"], generators: [innermost, list({ a: "1" })] } };
    await assert.rejects(
      generateParams({ merge: { mergeKeys: ["a"], generators: [middle, list({ a: "1" })] } }, context()),
      fieldError(`${FIELD}.merge.generators[0].merge.generators[0].merge`, "only two levels deep"),
    );
    await assert.rejects(
      generateParams({ matrix: { generators: [list({ a: "1" }), { matrix: { generators: [list({ b: "1" }), middle] } }] } }, context()),
      fieldError(`${FIELD}.matrix.generators[1].matrix.generators[1].merge`, "only two levels deep"),
    );
  });

  it("matrix: generators must be a list; the same key with the same value in both children is fine (CombineStringMaps)", async () => {
    await assert.rejects(
      generateParams({ matrix: { generators: { a: list() } } }, context()),
      fieldError(`${FIELD}.matrix.generators`, "must be a list of generators"),
    );
    assert.deepEqual(await generateParams({ matrix: { generators: [list({ a: "1", b: "x" }), list({ a: "1", c: "y" })] } }, context()), [
      { a: "1", b: "x", c: "y" },
    ]);
  });
});

describe("matrix goTemplate merge (mergo.Merge WithOverride, first child over second)", () => {
  it("a key that is a map in one child and not in the other takes the first child's value whole", async () => {
    const params = await generateParams(
      { matrix: { generators: [list({ m: { x: "1" }, s: "first" }), list({ m: "plain", s: { y: "2" } })] } },
      context({ goTemplate: true }),
    );
    assert.deepEqual(params, [{ m: { x: "1" }, s: "first" }]);
  });
});

describe("clusters generator fields (cluster.go)", () => {
  it("errors name the field", async () => {
    const rejects = (spec: Record<string, unknown>, field: string, ...includes: string[]) =>
      assert.rejects(generateParams({ clusters: spec }, context()), fieldError(field, ...includes));
    await rejects({ selector: "env=prod" }, `${FIELD}.clusters.selector`, "must be a label selector");
    await rejects({ selector: { matchLabel: { env: "prod" } } }, `${FIELD}.clusters.selector.matchLabel`, "unknown selector field");
    // A malformed selector is named by its field, never a TypeError from deeper down.
    const selector = `${FIELD}.clusters.selector`;
    await rejects({ selector: { matchLabels: ["env"] } }, `${selector}.matchLabels`, "must be a map of strings");
    await rejects({ selector: { matchLabels: { env: 1 } } }, `${selector}.matchLabels.env`, "must be a string");
    await rejects({ selector: { matchExpressions: "x" } }, `${selector}.matchExpressions`, "must be a list");
    await rejects({ selector: { matchExpressions: ["env"] } }, `${selector}.matchExpressions[0]`, "must be an object");
    await rejects({ selector: { matchExpressions: [{ key: 1, operator: "Exists" }] } }, `${selector}.matchExpressions[0].key`, "must be a string");
    await rejects({ selector: { matchExpressions: [{ key: "env", operator: ["In"] }] } }, `${selector}.matchExpressions[0].operator`, "In, NotIn, Exists");
    await rejects(
      { selector: { matchExpressions: [{ key: "env", operator: "In", values: "a" }] } },
      `${selector}.matchExpressions[0].values`,
      "list of strings",
    );
    await rejects({ selector: { matchExpressions: [{ key: "env", operator: "In", vals: ["a"] }] } }, `${selector}.matchExpressions[0].vals`, "unknown field");
    // Values are label values here (metav1.LabelSelectorAsSelector), unlike a post-selector's.
    await rejects({ selector: { matchLabels: { env: "a b" } } }, selector, "matchLabels");
    await rejects({ values: ["a"] }, `${FIELD}.clusters.values`, "must be a map of strings");
    await rejects({ values: { replicas: 3 } }, `${FIELD}.clusters.values.replicas`, "must be a string");
    await rejects({ flatList: "true" }, `${FIELD}.clusters.flatList`, "must be a boolean");
  });

  it("a value that fails to render names the value (appendTemplatedValues)", async () => {
    await assert.rejects(
      generateParams({ clusters: { values: { bad: '{{ fail "boom" }}' } } }, context({ goTemplate: true })),
      fieldError(`${FIELD}.clusters.values.bad`, "failed to render", "boom"),
    );
  });

  it("values: null is no values", async () => {
    const params = await generateParams({ clusters: { values: null, selector: { matchLabels: { environment: "staging" } } } }, context());
    assert.deepEqual(
      params.map((p) => Object.keys(p).filter((k) => k.startsWith("values"))),
      [[]],
    );
  });

  it("goTemplate: a cluster without annotations has no metadata.annotations (getClusterParameters: len(cluster.Annotations) > 0)", async () => {
    const inventory = inventoryView([{ name: "edge", server: "https://edge.example.com", labels: { env: "edge" }, annotations: {} }]);
    assert.deepEqual(await generateParams({ clusters: {} }, context({ inventory, goTemplate: true })), [
      {
        name: "edge",
        nameNormalized: "edge",
        server: "https://edge.example.com",
        project: "",
        metadata: { labels: { env: "edge", "argocd.argoproj.io/secret-type": "cluster" } },
      },
    ]);
  });
});

describe("merge generator fields and keys (merge.go)", () => {
  it("goTemplate: a merge key's value is compared as JSON with sorted map keys (json.Marshal), and unmatched overrides are dropped", async () => {
    const params = await generateParams(
      {
        merge: {
          mergeKeys: ["target"],
          generators: [
            list({ target: { server: "s1", name: "a", tags: [{ k: "x", v: "1" }] }, replicas: 1 }, { target: { server: "s2", name: "b" }, replicas: 1 }),
            list({ target: { tags: [{ v: "1", k: "x" }], name: "a", server: "s1" }, replicas: 3 }, { target: { name: "c", server: "s3" }, replicas: 9 }),
          ],
        },
      },
      context({ goTemplate: true }),
    );
    assert.deepEqual(
      params.map((p) => [(p.target as { name: string }).name, p.replicas]),
      [
        ["a", 3],
        ["b", 1],
      ],
    );
  });

  it("a duplicate key is reported as Argo prints it: the merge keys sorted, absent ones null", async () => {
    await assert.rejects(
      generateParams({ merge: { mergeKeys: ["b", "a", "c"], generators: [list({ a: "1", b: "2" }, { a: "1", b: "2" }), list()] } }, context()),
      fieldError(`${FIELD}.merge.generators[0]`, 'Duplicate key was {"a":"1","b":"2","c":null}'),
    );
    await assert.rejects(
      generateParams({ merge: { mergeKeys: ["a"], generators: [list({ a: "1" }), list({ a: "2" }, { a: "2" })] } }, context()),
      fieldError(`${FIELD}.merge.generators[1]`, "not unique"),
    );
  });

  it("errors name the field", async () => {
    const rejects = (spec: Record<string, unknown>, field: string, ...includes: string[]) =>
      assert.rejects(generateParams({ merge: spec }, context()), fieldError(field, ...includes));
    await rejects({ mergeKeys: ["a"], generators: [list()] }, `${FIELD}.merge.generators`, "found less than two generators, Merge requires two or more");
    await rejects({ mergeKeys: [], generators: [list(), list()] }, `${FIELD}.merge.mergeKeys`, "no merge keys were specified, Merge requires at least one");
    await rejects({ mergeKeys: "a", generators: [list(), list()] }, `${FIELD}.merge.mergeKeys`, "must be a list of strings");
    await rejects({ mergeKeys: ["a", 1], generators: [list(), list()] }, `${FIELD}.merge.mergeKeys`, "must be a list of strings");
    await rejects({ mergeKeys: ["a"], generators: [list(), { list: { elements: "x" } }] }, `${FIELD}.merge.generators[1].list.elements`);
    await rejects({ mergeKeys: ["a"], generators: [{ list: { elements: "x" } }, list()] }, `${FIELD}.merge.generators[0].list.elements`);
  });
});

describe("paramsPerCluster: a cluster generator evaluated one cluster at a time", () => {
  const views = inventoryView(clusters).sorted;

  it("gives, cluster by cluster in name order, what generateParams gives, post-selector and values included", async () => {
    const generator = {
      clusters: { values: { env: "{{metadata.labels.environment}}" } },
      selector: { matchExpressions: [{ key: "values.env", operator: "In", values: ["staging", "production"] }] },
    };
    const perCluster = paramsPerCluster(generator, context());
    assert.ok(perCluster);
    assert.deepEqual(
      views.flatMap((view) => perCluster(view)).map((p) => ({ ...p })),
      await generateParams(generator, context()),
    );
    const stagingOnly = paramsPerCluster({ clusters: {}, selector: { matchLabels: { "metadata.labels.environment": "staging" } } }, context())!;
    assert.deepEqual(
      views.map((view) => stagingOnly(view).map((p) => p.name)),
      [[], ["staging-01"]],
    );
    const selected = paramsPerCluster({ clusters: { selector: { matchLabels: { environment: "production" } } } }, context())!;
    assert.deepEqual(
      views.map((view) => selected(view).length),
      [1, 0],
    );
  });

  it("is undefined for a flatList cluster generator and for other generators", () => {
    assert.equal(paramsPerCluster({ clusters: { flatList: true } }, context()), undefined);
    assert.equal(paramsPerCluster(list({ a: "1" }), context()), undefined);
    assert.equal(paramsPerCluster("clusters", context()), undefined);
  });

  it("refuses a bad entry as generateParams does, naming the field", () => {
    const where = context({ field: "spec.generators[2]" });
    assert.throws(() => paramsPerCluster({ clusters: {}, list: {} }, where), fieldError("spec.generators[2]", "names 2 generators"));
    assert.throws(
      () => paramsPerCluster({ clusters: {}, selector: { matchLabels: { "": "x" } } }, where),
      fieldError("spec.generators[2].selector.matchLabels"),
    );
    assert.throws(() => paramsPerCluster({ clusters: { flatList: 1 } }, where), fieldError("spec.generators[2].clusters.flatList"));
  });
});
