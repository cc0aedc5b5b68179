// The generators against cases taken from Argo CD's own tests (applicationset/generators/*_test.go)
// and docs (docs/operator-manual/applicationset/Generators-*.md), adapted to Radial's inventory.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApplicationSetError, type Params } from "../../../lambdas/generate/params.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import { context, fieldError, generateParams } from "./helpers.js";
import { memoryRepo, REPO } from "./memory-repo.js";

const byName = (a: Params, b: Params) => String(a.name).localeCompare(String(b.name));

describe("clusters generator", () => {
  const production = {
    name: "production_01/west",
    nameNormalized: "production-01-west",
    server: "https://production-01.example.com",
    project: "",
    "metadata.labels.environment": "production",
    "metadata.labels.org": "bar",
    "metadata.labels.argocd.argoproj.io/secret-type": "cluster",
    "metadata.annotations.foo.argoproj.io": "production",
  };
  const staging = {
    name: "staging-01",
    nameNormalized: "staging-01",
    server: "https://staging-01.example.com",
    project: "",
    "metadata.labels.environment": "staging",
    "metadata.labels.org": "foo",
    "metadata.labels.argocd.argoproj.io/secret-type": "cluster",
    "metadata.annotations.foo.argoproj.io": "staging",
  };

  it("flat params, secret-type label selector (cluster_test.go 'secret type label selector')", async () => {
    const params = await generateParams({ clusters: { selector: { matchLabels: { "argocd.argoproj.io/secret-type": "cluster" } } } }, context());
    assert.deepEqual(params, [production, staging]);
  });

  it("matchLabels and matchExpressions (cluster_test.go 'production-only', 'production or staging')", async () => {
    assert.deepEqual(await generateParams({ clusters: { selector: { matchLabels: { environment: "production" } } } }, context()), [production]);
    const either = await generateParams(
      { clusters: { selector: { matchExpressions: [{ key: "environment", operator: "In", values: ["production", "staging"] }] } } },
      context(),
    );
    assert.deepEqual(either.sort(byName), [production, staging]);
    const none = await generateParams({ clusters: { selector: { matchExpressions: [{ key: "environment", operator: "DoesNotExist" }] } } }, context());
    assert.deepEqual(none, []);
  });

  it("values are templated with the cluster's own params (cluster_test.go 'no label selector')", async () => {
    const values = {
      lol1: "lol",
      lol2: "{{values.lol1}}{{values.lol1}}",
      foo: "bar",
      bar: "{{ metadata.annotations.foo.argoproj.io }}",
      bat: "{{ metadata.labels.environment }}",
      aaa: "{{ server }}",
      "no-op": "{{ this-does-not-exist }}",
    };
    const params = await generateParams({ clusters: { values } }, context());
    assert.deepEqual(params[0], {
      ...production,
      "values.lol1": "lol",
      "values.lol2": "{{values.lol1}}{{values.lol1}}",
      "values.foo": "bar",
      "values.bar": "production",
      "values.bat": "production",
      "values.aaa": "https://production-01.example.com",
      "values.no-op": "{{ this-does-not-exist }}",
    });
  });

  it("goTemplate: nested metadata and values (cluster_test.go TestGenerateParamsGoTemplate)", async () => {
    const values = {
      lol1: "lol",
      lol2: "{{ .values.lol1 }}{{ .values.lol1 }}",
      bar: '{{ if not (empty .metadata) }}{{index .metadata.annotations "foo.argoproj.io" }}{{ end }}',
      aaa: "{{ .server }}",
      "no-op": "{{ .thisDoesNotExist }}",
    };
    const params = await generateParams({ clusters: { selector: { matchLabels: { environment: "staging" } }, values } }, context({ goTemplate: true }));
    assert.deepEqual(params, [
      {
        name: "staging-01",
        nameNormalized: "staging-01",
        server: "https://staging-01.example.com",
        project: "",
        metadata: {
          labels: { "argocd.argoproj.io/secret-type": "cluster", environment: "staging", org: "foo" },
          annotations: { "foo.argoproj.io": "staging" },
        },
        values: { lol1: "lol", lol2: "<no value><no value>", bar: "staging", aaa: "https://staging-01.example.com", "no-op": "<no value>" },
      },
    ]);
  });

  it("flatList yields one param set holding every cluster (Generators-Cluster.md)", async () => {
    const params = await generateParams({ clusters: { flatList: true, selector: { matchLabels: { environment: "staging" } } } }, context({ goTemplate: true }));
    assert.equal(params.length, 1);
    assert.deepEqual(
      (params[0]!.clusters as Params[]).map((c) => c.name),
      ["staging-01"],
    );
  });

  it('a cluster without a server gets server ""', async () => {
    const params = await generateParams({ clusters: {} }, context({ inventory: inventoryView([{ name: "edge", server: null, labels: {}, annotations: {} }]) }));
    assert.deepEqual(params, [{ name: "edge", nameNormalized: "edge", server: "", project: "", "metadata.labels.argocd.argoproj.io/secret-type": "cluster" }]);
  });

  it("refuses unknown fields and invalid selectors by name", async () => {
    await assert.rejects(generateParams({ clusters: { selectr: {} } }, context()), fieldError("spec.generators[0].clusters.selectr"));
    await assert.rejects(
      generateParams({ clusters: { selector: { matchExpressions: [{ key: "a", operator: "Foo" }] } } }, context()),
      fieldError("spec.generators[0].clusters.selector"),
    );
    // A top-level generator's own template is merged by the evaluator (generators/template.ts); it yields the same params.
    assert.deepEqual(
      await generateParams({ clusters: { template: { metadata: { name: "x" } } } }, context()),
      await generateParams({ clusters: {} }, context()),
    );
  });
});

describe("list generator", () => {
  it("plain: string values and a values map (list_test.go, Generators-List.md)", async () => {
    const params = await generateParams(
      { list: { elements: [{ cluster: "engineering-dev", url: "https://kubernetes.default.svc", values: { project: "default" } }] } },
      context(),
    );
    assert.deepEqual(params, [{ cluster: "engineering-dev", url: "https://kubernetes.default.svc", "values.project": "default" }]);
  });

  it("plain: a non-string value is an error, as list.go refuses it", async () => {
    await assert.rejects(generateParams({ list: { elements: [{ replicas: 3 }] } }, context()), fieldError("spec.generators[0].list.elements[0].replicas"));
  });

  it("goTemplate keeps nested values; elementsYaml is appended (list_test.go)", async () => {
    const params = await generateParams(
      { list: { elements: [{ cluster: "a", nested: { replicas: 3 } }], elementsYaml: "- cluster: b\n  labels:\n    env: prod\n" } },
      context({ goTemplate: true }),
    );
    assert.deepEqual(params, [
      { cluster: "a", nested: { replicas: 3 } },
      { cluster: "b", labels: { env: "prod" } },
    ]);
  });

  it("refuses unknown fields", async () => {
    await assert.rejects(generateParams({ list: { element: [] } }, context()), fieldError("spec.generators[0].list.element"));
  });
});

describe("git directories generator", () => {
  // git_test.go TestGitGenerateParamsFromDirectories, with the repo's directories given as files under them.
  const repo = memoryRepo({
    "app1/kustomization.yaml": "",
    "app2/kustomization.yaml": "",
    "app_3/kustomization.yaml": "",
    "p1/app4/deploy.yaml": "",
    ".github/workflows/ci.yaml": "",
    "README.md": "",
  });

  it("plain: path, path.basename, path.basenameNormalized, path[N]; hidden directories left out", async () => {
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", directories: [{ path: "*" }] } }, context({ repo }));
    assert.deepEqual(params, [
      { path: "app1", "path.basename": "app1", "path.basenameNormalized": "app1", "path[0]": "app1" },
      { path: "app2", "path.basename": "app2", "path.basenameNormalized": "app2", "path[0]": "app2" },
      { path: "app_3", "path.basename": "app_3", "path.basenameNormalized": "app-3", "path[0]": "app_3" },
      { path: "p1", "path.basename": "p1", "path.basenameNormalized": "p1", "path[0]": "p1" },
    ]);
  });

  it("exclude wins over include, whatever the order (git_test.go 'Expecting same exclude behavior with different order')", async () => {
    const repo2 = memoryRepo({ "app1/a": "", "app2/a": "", "p1/app2/a": "", "p1/app3/a": "", "p2/app3/a": "" });
    const directories = [{ path: "p1/*", exclude: true }, { path: "*" }, { path: "*/*" }];
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", directories } }, context({ repo: repo2 }));
    assert.deepEqual(
      params.map((p) => p.path),
      ["app1", "app2", "p1", "p2", "p2/app3"],
    );
  });

  it("values can use the path params (git_test.go 'Value variable interpolation')", async () => {
    const repo2 = memoryRepo({ "app1/a": "", "p1/app2/a": "" });
    const values = { foo: "bar", aaa: "{{ path[0] }}", "no-op": "{{ this-does-not-exist }}" };
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", directories: [{ path: "*/*" }], values } }, context({ repo: repo2 }));
    assert.deepEqual(params, [
      {
        path: "p1/app2",
        "path.basename": "app2",
        "path.basenameNormalized": "app2",
        "path[0]": "p1",
        "path[1]": "app2",
        "values.foo": "bar",
        "values.aaa": "p1",
        "values.no-op": "{{ this-does-not-exist }}",
      },
    ]);
  });

  it("goTemplate: path.path, path.segments; pathParamPrefix (git_test.go TestGitGenerateParamsFromDirectoriesGoTemplate)", async () => {
    const params = await generateParams(
      { git: { repoURL: REPO, revision: "HEAD", directories: [{ path: "p1/*" }], pathParamPrefix: "myRepo" } },
      context({ repo, goTemplate: true }),
    );
    assert.deepEqual(params, [{ myRepo: { path: { path: "p1/app4", basename: "app4", basenameNormalized: "app4", segments: ["p1", "app4"] } } }]);
  });

  it("reads the revision the context resolves, and names the generator when Git fails", async () => {
    await assert.rejects(
      generateParams({ git: { repoURL: REPO, revision: "nope", directories: [{ path: "*" }] } }, context({ repo })),
      fieldError("spec.generators[0].git", "unknown ref nope"),
    );
  });
});

describe("git files generator", () => {
  // Generators-Git.md "Git Generator: Files" example repository.
  const repo = memoryRepo({
    "apps/guestbook/kustomization.yaml": "resources: []\n",
    "cluster-config/engineering/dev/config.json": JSON.stringify({
      aws_account: "123456",
      asset_id: "11223344",
      cluster: { owner: "cluster-admin@company.com", name: "engineering-dev", address: "https://1.2.3.4" },
    }),
    "cluster-config/engineering/prod/config.json": JSON.stringify({
      aws_account: "123456",
      asset_id: "11223344",
      cluster: { owner: "cluster-admin@company.com", name: "engineering-prod", address: "https://1.2.3.4" },
    }),
    "lists/clusters.yaml": "- name: a\n  replicas: 1000000\n- name: b\n  enabled: yes\n",
    "empty/file_name.yaml": "",
    "broken/config.yaml": "this is not json or yaml",
  });

  it("plain: flattened keys and path params (Generators-Git.md)", async () => {
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "cluster-config/**/config.json" }] } }, context({ repo }));
    assert.deepEqual(params[0], {
      aws_account: "123456",
      asset_id: "11223344",
      "cluster.owner": "cluster-admin@company.com",
      "cluster.name": "engineering-dev",
      "cluster.address": "https://1.2.3.4",
      path: "cluster-config/engineering/dev",
      "path.basename": "dev",
      "path.filename": "config.json",
      "path.basenameNormalized": "dev",
      "path.filenameNormalized": "config.json",
      "path[0]": "cluster-config",
      "path[1]": "engineering",
      "path[2]": "dev",
    });
    assert.equal(params.length, 2);
  });

  it("exclude removes files (Generators-Git.md 'Exclude files')", async () => {
    const files = [{ path: "cluster-config/**/config.json" }, { path: "cluster-config/*/dev/config.json", exclude: true }];
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", files } }, context({ repo }));
    assert.deepEqual(
      params.map((p) => p["cluster.name"]),
      ["engineering-prod"],
    );
  });

  it("a top-level list yields one param set per item; numbers and booleans print as Go's %v", async () => {
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "lists/*.yaml" }] } }, context({ repo }));
    assert.deepEqual(
      params.map((p) => [p.name, p.replicas, p.enabled]),
      [
        ["a", "1e+06", undefined],
        ["b", undefined, "true"],
      ],
    );
  });

  it("empty file gives only path params (git_test.go 'empty file returns path parameters')", async () => {
    const params = await generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "empty/file_name.yaml" }] } }, context({ repo }));
    assert.deepEqual(params, [
      {
        path: "empty",
        "path.basename": "empty",
        "path.filename": "file_name.yaml",
        "path.basenameNormalized": "empty",
        "path.filenameNormalized": "file-name.yaml",
        "path[0]": "empty",
      },
    ]);
  });

  it("goTemplate: nested content, path object, values (git_test.go 'file parameters are added to params with go template')", async () => {
    const params = await generateParams(
      { git: { repoURL: REPO, revision: "HEAD", files: [{ path: "cluster-config/engineering/dev/config.json" }], values: { somekey: "{{.path.basename}}" } } },
      context({ repo, goTemplate: true }),
    );
    assert.deepEqual(params, [
      {
        aws_account: "123456",
        asset_id: "11223344",
        cluster: { owner: "cluster-admin@company.com", name: "engineering-dev", address: "https://1.2.3.4" },
        path: {
          path: "cluster-config/engineering/dev",
          basename: "dev",
          filename: "config.json",
          basenameNormalized: "dev",
          filenameNormalized: "config.json",
          segments: ["cluster-config", "engineering", "dev"],
        },
        values: { somekey: "dev" },
      },
    ]);
  });

  it("an unparsable file is an error naming the file (git_test.go 'invalid json/yaml file returns error')", async () => {
    await assert.rejects(
      generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "broken/*" }] } }, context({ repo })),
      fieldError("spec.generators[0].git", "broken/config.yaml"),
    );
  });

  it("refuses directories and files together, and unknown fields", async () => {
    await assert.rejects(
      generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "a" }], directories: [{ path: "b" }] } }, context({ repo })),
      fieldError("spec.generators[0].git.files"),
    );
    await assert.rejects(
      generateParams({ git: { repoURL: REPO, revision: "HEAD", files: [{ path: "a", recurse: true }] } }, context({ repo })),
      fieldError("spec.generators[0].git.files[0].recurse"),
    );
  });
});

describe("matrix generator", () => {
  const repo = memoryRepo({ "app1/a.yaml": "", "app2/a.yaml": "" });
  const git = { git: { repoURL: REPO, revision: "HEAD", directories: [{ path: "*" }] } };

  it("git × list, second child interpolated with the first's params (matrix_test.go 'happy flow - generate params')", async () => {
    const list = { list: { elements: [{ cluster: "Cluster", url: "Url", templated: "test-{{path.basenameNormalized}}" }] } };
    const params = await generateParams({ matrix: { generators: [git, list] } }, context({ repo }));
    assert.deepEqual(params, [
      { path: "app1", "path.basename": "app1", "path.basenameNormalized": "app1", "path[0]": "app1", cluster: "Cluster", url: "Url", templated: "test-app1" },
      { path: "app2", "path.basename": "app2", "path.basenameNormalized": "app2", "path[0]": "app2", cluster: "Cluster", url: "Url", templated: "test-app2" },
    ]);
  });

  it("two lists (matrix_test.go 'happy flow - generate params from two lists')", async () => {
    const params = await generateParams(
      { matrix: { generators: [{ list: { elements: [{ a: "1" }, { a: "2" }] } }, { list: { elements: [{ b: "1" }, { b: "2" }] } }] } },
      context(),
    );
    assert.deepEqual(params, [
      { a: "1", b: "1" },
      { a: "1", b: "2" },
      { a: "2", b: "1" },
      { a: "2", b: "2" },
    ]);
  });

  it("plain: a key with two different values is an error (utils.CombineStringMaps)", async () => {
    await assert.rejects(
      generateParams({ matrix: { generators: [{ list: { elements: [{ a: "1" }] } }, { list: { elements: [{ a: "2" }] } }] } }, context()),
      fieldError("spec.generators[0].matrix", "duplicate key a"),
    );
  });

  it("goTemplate: the first child's params win, nested maps merge (mergo WithOverride)", async () => {
    const params = await generateParams(
      {
        matrix: {
          generators: [
            { list: { elements: [{ a: "1", m: { x: "first" } }] } },
            { list: { elements: [{ a: "2", b: "{{ .a }}", m: { x: "second", y: "second" } }] } },
          ],
        },
      },
      context({ goTemplate: true }),
    );
    assert.deepEqual(params, [{ a: "1", b: "1", m: { x: "first", y: "second" } }]);
  });

  it("clusters × git files with the cluster name in the path (Generators-Matrix.md)", async () => {
    const repo2 = memoryRepo({ "clusters/staging-01/config.json": '{"replicas": "2"}', "clusters/other/config.json": '{"replicas": "9"}' });
    const params = await generateParams(
      {
        matrix: {
          generators: [
            { clusters: { selector: { matchLabels: { environment: "staging" } } } },
            { git: { repoURL: REPO, revision: "HEAD", files: [{ path: "clusters/{{.name}}/config.json" }] } },
          ],
        },
      },
      context({ repo: repo2, goTemplate: true }),
    );
    assert.deepEqual(
      params.map((p) => [p.name, p.replicas]),
      [["staging-01", "2"]],
    );
  });

  it("goTemplate interpolation keeps a child's values that refer to its own params", async () => {
    const params = await generateParams(
      {
        matrix: {
          generators: [
            { list: { elements: [{ env: "staging" }] } },
            {
              clusters: {
                selector: { matchLabels: { environment: "{{ .env }}" } },
                values: { env: "{{ .env }}", own: "{{ .name }}", mixed: "{{ .env }}-{{ .name }}" },
              },
            },
          ],
        },
      },
      context({ goTemplate: true }),
    );
    // utils.RenderGeneratorParams: a value missing a key of the first child is left whole, then
    // rendered with the cluster's params only, so `mixed` loses `.env` exactly as in Argo CD.
    assert.deepEqual(
      params.map((p) => p.values),
      [{ env: "staging", own: "staging-01", mixed: "<no value>-staging-01" }],
    );
  });

  it("nests one level (matrix of matrix) and refuses deeper nesting", async () => {
    const inner = { matrix: { generators: [{ list: { elements: [{ a: "1" }] } }, { list: { elements: [{ b: "1" }] } }] } };
    const params = await generateParams({ matrix: { generators: [inner, { list: { elements: [{ c: "1" }] } }] } }, context());
    assert.deepEqual(params, [{ a: "1", b: "1", c: "1" }]);
    const tooDeep = { matrix: { generators: [inner, { list: { elements: [] } }] } };
    await assert.rejects(
      generateParams({ matrix: { generators: [tooDeep, { list: { elements: [] } }] } }, context()),
      fieldError("spec.generators[0].matrix.generators[0].matrix.generators[0].matrix"),
    );
  });

  it("needs exactly two children, each with one generator (matrix_test.go error cases)", async () => {
    await assert.rejects(
      generateParams({ matrix: { generators: [git] } }, context({ repo })),
      fieldError("spec.generators[0].matrix.generators", "less than two"),
    );
    await assert.rejects(
      generateParams({ matrix: { generators: [git, git, git] } }, context({ repo })),
      fieldError("spec.generators[0].matrix.generators", "more than two"),
    );
    await assert.rejects(
      generateParams({ matrix: { generators: [{ ...git, list: { elements: [] } }, git] } }, context({ repo })),
      fieldError("spec.generators[0].matrix.generators[0]"),
    );
  });
});

describe("merge generator", () => {
  const list = (...elements: Record<string, string>[]) => ({ list: { elements } });

  it("happy flow (merge_test.go 'happy flow - generate paramSets')", async () => {
    const params = await generateParams(
      {
        merge: {
          mergeKeys: ["b"],
          generators: [list({ a: "1_1", b: "same", c: "1_3" }), list({ a: "2_1", b: "same" }), list({ a: "3_1", b: "different", c: "3_3" })],
        },
      },
      context(),
    );
    assert.deepEqual(params, [{ a: "2_1", b: "same", c: "1_3" }]);
  });

  it("merge keys absent, or absent in the second set (merge_test.go)", async () => {
    assert.deepEqual(await generateParams({ merge: { mergeKeys: ["b"], generators: [list({ a: "a" }), list({ a: "a" })] } }, context()), [{ a: "a" }]);
    assert.deepEqual(await generateParams({ merge: { mergeKeys: ["b"], generators: [list({ a: "a" }), list({ b: "b" })] } }, context()), [{ a: "a" }]);
  });

  it("nested matrix and nested merge (merge_test.go)", async () => {
    const matrix = { matrix: { generators: [list({ a: "1" }, { a: "2" }), list({ b: "1" }, { b: "2" })] } };
    assert.deepEqual(await generateParams({ merge: { mergeKeys: ["a", "b"], generators: [matrix, list({ a: "1", b: "1", c: "added" })] } }, context()), [
      { a: "1", b: "1", c: "added" },
      { a: "1", b: "2" },
      { a: "2", b: "1" },
      { a: "2", b: "2" },
    ]);
    const merge = {
      merge: { mergeKeys: ["a"], generators: [list({ a: "1", b: "1" }, { a: "2", b: "2" }), list({ a: "1", b: "3", c: "added" }, { a: "3", b: "2" })] },
    };
    assert.deepEqual(await generateParams({ merge: { mergeKeys: ["a", "b"], generators: [merge, list({ a: "1", b: "3", d: "added" })] } }, context()), [
      { a: "1", b: "3", c: "added", d: "added" },
      { a: "2", b: "2" },
    ]);
  });

  it("clusters merged with a list by server (Generators-Merge.md)", async () => {
    const params = await generateParams(
      {
        merge: {
          mergeKeys: ["server"],
          generators: [
            { clusters: { values: { kafka: "true", redis: "false" } } },
            { list: { elements: [{ server: "https://staging-01.example.com", "values.redis": "true" }] } },
          ],
        },
      },
      context(),
    );
    const staging = params.find((p) => p.name === "staging-01")!;
    assert.equal(staging["values.redis"], "true");
    assert.equal(staging["values.kafka"], "true");
    assert.equal(params.find((p) => p.name === "production_01/west")!["values.redis"], "false");
  });

  it("errors: duplicate keys, no merge keys, one generator", async () => {
    await assert.rejects(
      generateParams({ merge: { mergeKeys: ["b"], generators: [list({ b: "x" }, { b: "x" }), list({ b: "x" })] } }, context()),
      fieldError("spec.generators[0].merge.generators[0]", "not unique"),
    );
    await assert.rejects(
      generateParams({ merge: { mergeKeys: [], generators: [list(), list()] } }, context()),
      fieldError("spec.generators[0].merge.mergeKeys"),
    );
    await assert.rejects(generateParams({ merge: { mergeKeys: ["a"], generators: [list()] } }, context()), fieldError("spec.generators[0].merge.generators"));
  });
});

describe("post-selector and refusals", () => {
  it("filters any generator's params (Generators-Post-Selector.md)", async () => {
    const params = await generateParams(
      {
        list: {
          elements: [
            { cluster: "engineering-dev", url: "https://kubernetes.default.svc", env: "staging" },
            { cluster: "engineering-prod", url: "https://kubernetes.default.svc", env: "prod" },
          ],
        },
        selector: { matchLabels: { env: "prod" } },
      },
      context(),
    );
    assert.deepEqual(params, [{ cluster: "engineering-prod", url: "https://kubernetes.default.svc", env: "prod" }]);
  });

  it("applies on nested children too", async () => {
    const params = await generateParams(
      {
        matrix: { generators: [{ list: { elements: [{ a: "1" }, { a: "2" }] }, selector: { matchLabels: { a: "2" } } }, { list: { elements: [{ b: "1" }] } }] },
      },
      context(),
    );
    assert.deepEqual(params, [{ a: "2", b: "1" }]);
  });

  it("refuses the generators Radial does not evaluate, by name", async () => {
    await assert.rejects(generateParams({ scmProvider: { github: { organization: "x" } } }, context({ field: "spec.generators[1]" })), (e: unknown) => {
      assert.ok(e instanceof ApplicationSetError);
      assert.equal(e.message, "spec.generators[1].scmProvider: the scmProvider generator is not supported by Radial");
      return true;
    });
    for (const kind of ["pullRequest", "plugin", "clusterDecisionResource"]) {
      await assert.rejects(generateParams({ [kind]: {} }, context()), fieldError(`spec.generators[0].${kind}`, "not supported by Radial"));
    }
    await assert.rejects(
      generateParams({ matrix: { generators: [{ pullRequest: {} }, { list: { elements: [] } }] } }, context()),
      fieldError("spec.generators[0].matrix.generators[0].pullRequest"),
    );
    await assert.rejects(generateParams({ foo: {} }, context()), fieldError("spec.generators[0].foo"));
    await assert.rejects(generateParams({}, context()), fieldError("spec.generators[0]"));
    await assert.rejects(generateParams({ list: { elements: [] }, clusters: {} }, context()), fieldError("spec.generators[0]"));
  });
});
