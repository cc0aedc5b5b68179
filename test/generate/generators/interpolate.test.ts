// A matrix's second child rendered with each param set of the first: utils.RenderGeneratorParams
// (applicationset/utils/utils.go) and its tests TestRenderGeneratorParams_ValuesInterpolation
// (utils_test.go) and the matrix cases of matrix_test.go.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interpolateGenerator } from "../../../lambdas/generate/generators/interpolate.js";
import type { Params } from "../../../lambdas/generate/params.js";
import { context, fieldError, generateParams, list } from "./helpers.js";
import { memoryRepo, REPO } from "./memory-repo.js";

const FIELD = "spec.generators[0].matrix.generators[1]";

function interpolate(generator: Record<string, unknown>, params: Params, goTemplate: boolean, goTemplateOptions: string[] = []) {
  return interpolateGenerator(generator, params, context({ goTemplate, goTemplateOptions }), FIELD);
}

describe("values of clusters and git generators (TestRenderGeneratorParams_ValuesInterpolation)", () => {
  const path = { path: { basename: "guestbook" } };

  it("goTemplate: a key of the first child is resolved", () => {
    assert.deepEqual(interpolate({ clusters: { values: { env: "{{.path.basename}}" } } }, path, true, ["missingkey=error"]), {
      clusters: { values: { env: "guestbook" } },
    });
  });

  it("goTemplate: a key the first child lacks is kept as written, for the child to render with its own params", () => {
    assert.deepEqual(
      interpolate({ git: { repoURL: "https://git.example.com", values: { basename: "{{.path.basename}}" } } }, { some: "value" }, true, ["missingkey=error"]),
      {
        git: { repoURL: "https://git.example.com", values: { basename: "{{.path.basename}}" } },
      },
    );
  });

  it("goTemplate: mixed, with or without missingkey=error in the set's options", () => {
    const generator = { clusters: { values: { env: "{{.path.basename}}", clusterName: "{{.name}}", static: "some-hardcoded-value" } } };
    const expected = { clusters: { values: { env: "guestbook", clusterName: "{{.name}}", static: "some-hardcoded-value" } } };
    assert.deepEqual(interpolate(generator, path, true, ["missingkey=error"]), expected);
    assert.deepEqual(interpolate(generator, path, true, []), expected);
    // The set's own missingkey option does not apply: values are always resolved with missingkey=error.
    assert.deepEqual(interpolate(generator, path, true, ["missingkey=zero"]), expected);
  });

  it("goTemplate: a field of a value that is no map counts as missing too (isMissingKeyError: can't evaluate field)", () => {
    assert.deepEqual(interpolate({ clusters: { values: { x: "{{ .env.name }}" } } }, { env: "staging" }, true), {
      clusters: { values: { x: "{{ .env.name }}" } },
    });
  });

  it("plain: a key of the first child is resolved, one it lacks is kept", () => {
    assert.deepEqual(interpolate({ clusters: { values: { env: "{{path.basename}}", clusterName: "{{name}}" } } }, { "path.basename": "guestbook" }, false), {
      clusters: { values: { env: "guestbook", clusterName: "{{name}}" } },
    });
  });

  it("a malformed value is an error naming the value (failed to pre-resolve Values key)", () => {
    assert.throws(
      () => interpolate({ clusters: { values: { bad: "{{.path.basename" } } }, path, true, ["missingkey=error"]),
      fieldError(`${FIELD}.clusters.values.bad`, "failed to parse template"),
    );
    assert.throws(
      () => interpolate({ git: { repoURL: REPO, values: { bad: '{{ fail "boom" }}' } } }, path, true),
      fieldError(`${FIELD}.git.values.bad`, "boom"),
    );
  });

  it("a `values` that is not a map reaches the generator, which refuses it", async () => {
    await assert.rejects(
      generateParams({ matrix: { generators: [list({ env: "staging" }), { clusters: { values: "oops" } }] } }, context()),
      fieldError(`${FIELD}.clusters.values`, "must be a map of strings"),
    );
  });
});

describe("the rest of the second child", () => {
  it("goTemplate: rendered with the set's options, so a missing key prints <no value> by default (deeplyReplaceWithFilter gets goTemplateOptions)", async () => {
    const params = await generateParams({ matrix: { generators: [list({ a: "1" }), list({ b: "{{ .a }}-{{ .nope }}" })] } }, context({ goTemplate: true }));
    assert.deepEqual(params, [{ a: "1", b: "1-<no value>" }]);
  });

  it("goTemplate with missingkey=error: a missing key is an error naming the child", async () => {
    await assert.rejects(
      generateParams(
        { matrix: { generators: [list({ a: "1" }), list({ b: "{{ .nope }}" })] } },
        context({ goTemplate: true, goTemplateOptions: ["missingkey=error"] }),
      ),
      fieldError(`${FIELD}.list`, "failed to interpolate", 'map has no entry for key "nope"'),
    );
  });

  it("a malformed template is an error naming the child", async () => {
    await assert.rejects(
      generateParams({ matrix: { generators: [list({ a: "1" }), list({ b: "{{ .a " })] } }, context({ goTemplate: true })),
      fieldError(`${FIELD}.list`, "failed to parse template"),
    );
  });

  it("an error in a nested matrix's child names that child", async () => {
    await assert.rejects(
      generateParams(
        { matrix: { generators: [list({ a: "1" }), { matrix: { generators: [list({ b: "{{ .a " }), list({ c: "1" })] } }] } },
        context({ goTemplate: true }),
      ),
      fieldError(`${FIELD}.matrix.generators[0].list`, "failed to parse template"),
    );
  });

  it("a null generator field beside the child's generator is left alone", async () => {
    const params = await generateParams(
      { matrix: { generators: [list({ a: "1" }), { list: { elements: [{ b: "{{a}}" }] }, clusters: null, merge: null }] } },
      context(),
    );
    assert.deepEqual(params, [{ a: "1", b: "1" }]);
  });

  it("map keys are rendered too", async () => {
    const params = await generateParams({ matrix: { generators: [list({ a: "x" }), list({ "key-{{a}}": "v" })] } }, context());
    assert.deepEqual(params, [{ a: "x", "key-x": "v" }]);
  });

  it("git: the path is rendered; values keep the child's own keys (Generators-Matrix.md)", async () => {
    const repo = memoryRepo({ "apps/staging/guestbook/a.yaml": "", "apps/prod/guestbook/a.yaml": "" });
    const params = await generateParams(
      {
        matrix: {
          generators: [
            list({ env: "staging" }),
            {
              git: {
                repoURL: REPO,
                revision: "HEAD",
                directories: [{ path: "apps/{{ .env }}/*" }],
                values: { app: "{{ .path.basename }}", env: "{{ .env }}" },
              },
            },
          ],
        },
      },
      context({ repo, goTemplate: true }),
    );
    assert.deepEqual(
      params.map((p) => [(p.path as Params).path, p.values]),
      [["apps/staging/guestbook", { app: "guestbook", env: "staging" }]],
    );
  });

  it("a nested matrix or merge has each of its children interpolated, values included", async () => {
    const cluster = { clusters: { selector: { matchLabels: { environment: "{{ .env }}" } }, values: { own: "{{ .name }}", env: "{{ .env }}" } } };
    for (const kind of ["matrix", "merge"]) {
      const nested =
        kind === "matrix"
          ? { matrix: { generators: [cluster, list({ team: "{{ .env }}-team" })] } }
          : { merge: { mergeKeys: ["name"], generators: [cluster, list({ name: "staging-01", team: "{{ .env }}-team" })] } };
      const params = await generateParams({ matrix: { generators: [list({ env: "staging" }), nested] } }, context({ goTemplate: true }));
      assert.deepEqual(
        params.map((p) => [p.env, p.name, p.team, p.values]),
        [["staging", "staging-01", "staging-team", { own: "staging-01", env: "staging" }]],
        kind,
      );
    }
  });
});

describe("the post-selector of the second child", () => {
  it("is not interpolated: Transform parses requestedGenerator.Selector before InterpolateGenerator", async () => {
    const params = await generateParams(
      {
        matrix: {
          generators: [
            list({ env: "staging" }),
            { clusters: {}, selector: { matchExpressions: [{ key: "metadata.labels.environment", operator: "NotIn", values: ["{{env}}"] }] } },
          ],
        },
      },
      context(),
    );
    assert.deepEqual(
      params.map((p) => p.name),
      ["production_01/west", "staging-01"],
    );
  });
});
