// A generator's own template over spec.template, as Argo CD's mergeGeneratorTemplate merges them
// (mergo.Merge without override over the typed ApplicationSetTemplate; TestMergeTemplateApplications).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseApplicationSet } from "../../../lambdas/generate/application-set.js";
import { mergeTemplate, withGeneratorTemplate } from "../../../lambdas/generate/generators/template.js";

test("the generator's values win; its zero values and missing map keys are filled from spec.template (TestMergeTemplateApplications)", () => {
  const merged = mergeTemplate(
    { metadata: { name: "test", labels: { foo: "bar" } }, spec: {} },
    { metadata: { name: "name", namespace: "namespace", labels: { label_name: "label_value" } }, spec: {} },
  );
  assert.deepEqual(merged, { metadata: { name: "test", namespace: "namespace", labels: { foo: "bar", label_name: "label_value" } }, spec: {} });
});

test('Go zero values ("", false, 0, an empty list) are filled; a non-empty list and helm\'s valuesObject are kept whole', () => {
  const generator = {
    spec: {
      project: "",
      revisionHistoryLimit: 0,
      syncPolicy: { automated: { prune: false, selfHeal: true }, syncOptions: ["ServerSideApply=true"] },
      source: { helm: { valueFiles: [], valuesObject: { replicas: 2 } } },
      ignoreDifferences: [],
    },
  };
  const spec = {
    spec: {
      project: "platform",
      revisionHistoryLimit: 5,
      syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
      source: { repoURL: "https://git.example/a.git", helm: { valueFiles: ["a.yaml"], valuesObject: { image: { tag: "1" } } } },
      ignoreDifferences: [{ kind: "Secret" }],
    },
  };
  assert.deepEqual(mergeTemplate(generator, spec), {
    spec: {
      project: "platform",
      revisionHistoryLimit: 5,
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["ServerSideApply=true"] },
      source: { repoURL: "https://git.example/a.git", helm: { valueFiles: ["a.yaml"], valuesObject: { replicas: 2 } } },
      ignoreDifferences: [{ kind: "Secret" }],
    },
  });
});

test("a set whose generator gives no template is returned as it is; a template that is not an object is refused by name", () => {
  const set = parseApplicationSet({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: "s" },
    spec: { generators: [{ list: { elements: [] } }], template: { metadata: { name: "x" } } },
  });
  assert.equal(withGeneratorTemplate(set, { list: { elements: [], template: {} } }, "spec.generators[0]"), set);
  assert.equal(withGeneratorTemplate(set, { list: { elements: [] }, selector: { matchLabels: {} } }, "spec.generators[0]"), set);
  assert.throws(
    () => withGeneratorTemplate(set, { list: { elements: [], template: "x" } }, "spec.generators[0]"),
    /^Error: spec\.generators\[0\]\.list\.template: must be an Application template \(metadata, spec\)$/,
  );
});

test("a null in the generator's template is Go's zero value, filled from spec.template; a zero value with nothing to fill it stays", () => {
  assert.deepEqual(mergeTemplate({ metadata: { name: null }, spec: { project: "" } }, { metadata: { name: "from-spec" }, spec: {} }), {
    metadata: { name: "from-spec" },
    spec: { project: "" },
  });
});

test("the generator's template is found whatever the key order of the entry, and a null template is none", () => {
  const set = parseApplicationSet({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: "s" },
    spec: { generators: [{ list: { elements: [] } }], template: { metadata: { name: "x" }, spec: { project: "default" } } },
  });
  const merged = withGeneratorTemplate(
    set,
    { selector: { matchLabels: {} }, list: { elements: [], template: { metadata: { name: "own" } } } },
    "spec.generators[0]",
  );
  assert.deepEqual(merged.spec.template, { metadata: { name: "own" }, spec: { project: "default" } });
  assert.equal(withGeneratorTemplate(set, { list: { elements: [], template: null } }, "spec.generators[0]"), set);
});
