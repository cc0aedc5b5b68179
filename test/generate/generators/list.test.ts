// The list generator against applicationset/generators/list.go (GenerateParams) and
// Generators-List.md: elements, their `values` map, and elementsYaml.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { context, fieldError, generateParams } from "./helpers.js";

const FIELD = "spec.generators[0].list";

describe("list elements", () => {
  it("plain: each element's `values` entries become values.<key> params", async () => {
    const params = await generateParams({ list: { elements: [{ cluster: "a", values: { project: "default", tier: "gold" } }] } }, context());
    assert.deepEqual(params, [{ cluster: "a", "values.project": "default", "values.tier": "gold" }]);
  });

  it("a null element still yields a param set (it renders the template unchanged)", async () => {
    assert.deepEqual(await generateParams({ list: { elements: [null, { a: "1" }] } }, context()), [{}, { a: "1" }]);
    assert.deepEqual(await generateParams({ list: { elements: [null] } }, context({ goTemplate: true })), [{}]);
  });

  it("no elements at all yields nothing", async () => {
    assert.deepEqual(await generateParams({ list: {} }, context()), []);
    assert.deepEqual(await generateParams({ list: { elements: [] } }, context()), []);
  });

  it("goTemplate keeps any value, values map included, as written", async () => {
    const element = { cluster: "a", replicas: 3, values: { enabled: true } };
    assert.deepEqual(await generateParams({ list: { elements: [element] } }, context({ goTemplate: true })), [element]);
  });

  it("errors name the element (list.go: error unmarshling list element, error parsing values map, error parsing value as string)", async () => {
    await assert.rejects(generateParams({ list: { elements: { a: "1" } } }, context()), fieldError(`${FIELD}.elements`, "must be a list"));
    await assert.rejects(generateParams({ list: { elements: [{ a: "1" }, "b"] } }, context()), fieldError(`${FIELD}.elements[1]`, "must be an object"));
    await assert.rejects(
      generateParams({ list: { elements: [{ values: "x" }] } }, context()),
      fieldError(`${FIELD}.elements[0].values`, "error parsing values map"),
    );
    await assert.rejects(
      generateParams({ list: { elements: [{ values: { replicas: 3 } }] } }, context()),
      fieldError(`${FIELD}.elements[0].values.replicas`, "must be a string"),
    );
    await assert.rejects(
      generateParams({ list: { elements: [{ enabled: true }] } }, context()),
      fieldError(`${FIELD}.elements[0].enabled`, "must be a string"),
    );
  });
});

describe("list elementsYaml (list.go: yaml.Unmarshal, appended to the elements)", () => {
  const yaml = "- cluster: engineering-dev\n  url: https://kubernetes.default.svc\n  replicas: 2\n  nested:\n    a: b\n";

  it("is appended after the elements, as parsed (nested, not stringified), with or without goTemplate", async () => {
    for (const goTemplate of [false, true]) {
      const params = await generateParams({ list: { elements: [{ cluster: "first" }], elementsYaml: yaml } }, context({ goTemplate }));
      assert.deepEqual(params, [{ cluster: "first" }, { cluster: "engineering-dev", url: "https://kubernetes.default.svc", replicas: 2, nested: { a: "b" } }]);
    }
  });

  it("an empty, null or comment-only document adds nothing; a null item is an empty set", async () => {
    for (const elementsYaml of ["", null, "# none yet\n", "~"]) {
      assert.deepEqual(await generateParams({ list: { elements: [{ a: "1" }], elementsYaml } }, context()), [{ a: "1" }], String(elementsYaml));
    }
    assert.deepEqual(await generateParams({ list: { elementsYaml: "- ~\n- a: '1'\n" } }, context()), [{}, { a: "1" }]);
  });

  it("must be a YAML list of objects (yaml.Unmarshal into []map[string]interface{})", async () => {
    await assert.rejects(generateParams({ list: { elementsYaml: ["a"] } }, context()), fieldError(`${FIELD}.elementsYaml`, "must be a string"));
    await assert.rejects(generateParams({ list: { elementsYaml: "cluster: a\n" } }, context()), fieldError(`${FIELD}.elementsYaml`, "list of objects"));
    await assert.rejects(
      generateParams({ list: { elementsYaml: "- cluster: a\n- just-a-string\n" } }, context()),
      fieldError(`${FIELD}.elementsYaml[1]`, "must be an object"),
    );
    await assert.rejects(
      generateParams({ list: { elementsYaml: "- cluster: [a\n" } }, context()),
      fieldError(`${FIELD}.elementsYaml`, "error unmarshalling elementsYaml"),
    );
  });
});
