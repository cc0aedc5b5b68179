// Unit tests for the Go-compatible helpers the generators use (no template engine needed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitPathspecMatch, goPathMatch } from "../../../lambdas/generate/generators/glob.js";
import { applyPostSelector, parsePostSelector } from "../../../lambdas/generate/generators/post-selector.js";
import { deepMerge, flattenToStrings, goString, parseYamlLikeGo, sanitizeName } from "../../../lambdas/generate/generators/values.js";
import { ApplicationSetError } from "../../../lambdas/generate/params.js";

describe("Go value formatting (fmt %v), as Argo stringifies flattened params", () => {
  it("prints float64 like Go: shortest digits, exponent from 1e6", () => {
    // Checked with `go run`: fmt.Sprintf("%v", 1000000.0) == "1e+06", 123456.0 → "123456", 1e-05 → "1e-05".
    assert.equal(goString(1000000), "1e+06");
    assert.equal(goString(123456), "123456");
    assert.equal(goString(1234567), "1.234567e+06");
    assert.equal(goString(0.0001), "0.0001");
    assert.equal(goString(0.00001), "1e-05");
    assert.equal(goString(8080), "8080");
    assert.equal(goString(1.5), "1.5");
    assert.equal(goString(true), "true");
    assert.equal(goString(null), "<nil>");
    assert.equal(goString({ b: 1, a: ["x", 2] }), "map[a:[x 2] b:1]");
  });

  it("flattens nested maps and lists with dots, dropping empty ones (jeremywohl/flatten)", () => {
    assert.deepEqual(flattenToStrings({ a: { b: [1, { c: true }] }, e: {}, l: [], n: null, s: "x" }), { "a.b.0": "1", "a.b.1.c": "true", n: "<nil>", s: "x" });
  });

  it("normalizes names like utils.SanitizeName", () => {
    // cluster_test.go: "production_01/west" → "production-01-west"; git_test.go: "file_name.yaml" → "file-name.yaml".
    assert.equal(sanitizeName("production_01/west"), "production-01-west");
    assert.equal(sanitizeName("file_name.yaml"), "file-name.yaml");
    assert.equal(sanitizeName("-My.App-"), "my.app");
    assert.equal(sanitizeName("x".repeat(300)).length, 253);
  });
});

describe("YAML decoding like sigs.k8s.io/yaml", () => {
  it("uses YAML 1.1 scalars, keeps timestamps as strings, reads the first document only", () => {
    assert.deepEqual(parseYamlLikeGo("a: yes\nb: off\nd: 2001-12-14\no: 0777\n---\nignored: true\n"), { a: true, b: false, d: "2001-12-14", o: 511 });
    assert.equal(parseYamlLikeGo(""), null);
    assert.deepEqual(parseYamlLikeGo('{"cluster": {"name": "engineering-dev"}}'), { cluster: { name: "engineering-dev" } });
    assert.throws(() => parseYamlLikeGo("a: 1\na: 2\n"));
  });
});

describe("deepMerge (mergo.Merge WithOverride)", () => {
  it("merges nested maps and lets src win elsewhere", () => {
    assert.deepEqual(deepMerge({ a: { x: "1", y: "1" }, b: "1", l: [1] }, { a: { y: "2" }, b: "", l: [2, 3] }), { a: { x: "1", y: "2" }, b: "", l: [2, 3] });
  });
});

describe("glob dialects of the git generator", () => {
  it("directories: Go path.Match, whole path, * stops at /", () => {
    // git_test.go TestGitGenerateParamsFromDirectories: "*" matches app1 but not p1/app2; "*/*" matches p1/app2.
    assert.equal(goPathMatch("*", "app1"), true);
    assert.equal(goPathMatch("*", "p1/app2"), false);
    assert.equal(goPathMatch("*/*", "p1/app2"), true);
    assert.equal(goPathMatch("p1/*", "p1/app2"), true);
    assert.equal(goPathMatch("apps/**", "apps/a/b"), false, "** is not recursive in path.Match");
    assert.equal(goPathMatch("app?", "app1"), true);
    assert.equal(goPathMatch("app[0-9]", "app1"), true);
    assert.equal(goPathMatch("app[^0-9]", "app1"), false);
    assert.equal(goPathMatch("app[", "app["), false, "a malformed pattern matches nothing");
    assert.equal(goPathMatch("a\\*", "a*"), true);
  });

  it("files: git pathspec without magic, * crosses /", () => {
    // Generators-Git-File-Globbing.md: by default `cluster-charts/*/*/values.yaml` behaves like `cluster-charts/**/values.yaml`.
    assert.equal(gitPathspecMatch("cluster-charts/*/*/values.yaml", "cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml"), true);
    assert.equal(gitPathspecMatch("some-path/*.yaml", "some-path/a/b/c.yaml"), true);
    assert.equal(gitPathspecMatch("cluster-config/**/config.json", "cluster-config/engineering/dev/config.json"), true);
    assert.equal(gitPathspecMatch("cluster-config/**/config.json", "cluster-config/engineering/dev/other.json"), false);
    assert.equal(gitPathspecMatch("apps/config.json", "apps/config.json"), true);
    assert.equal(gitPathspecMatch("apps", "apps/x/config.json"), true, "a literal pathspec names a directory too");
    assert.equal(gitPathspecMatch("app", "apps/config.json"), false);
  });
});

describe("post-selector (Argo's utils.LabelSelectorAsSelector)", () => {
  it("matches flattened params and does not validate values as label values", () => {
    const selector = parsePostSelector({ matchLabels: { server: "https://kubernetes.default.svc" } }, "spec.generators[0].selector");
    const kept = applyPostSelector(selector, [{ server: "https://kubernetes.default.svc" }, { server: "https://other" }]);
    assert.deepEqual(kept, [{ server: "https://kubernetes.default.svc" }]);
  });

  it("flattens nested goTemplate params before matching", () => {
    const selector = parsePostSelector({ matchExpressions: [{ key: "metadata.labels.env", operator: "In", values: ["prod", "staging"] }] }, "f");
    const kept = applyPostSelector(selector, [{ metadata: { labels: { env: "prod" } } }, { metadata: { labels: { env: "dev" } } }]);
    assert.deepEqual(kept, [{ metadata: { labels: { env: "prod" } } }]);
  });

  it("refuses unknown operators and fields by name", () => {
    assert.throws(
      () => parsePostSelector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, "f"),
      (e: unknown) => e instanceof ApplicationSetError && e.field === "f.matchExpressions[0].operator",
    );
    assert.throws(
      () => parsePostSelector({ matchFields: {} }, "f"),
      (e: unknown) => e instanceof ApplicationSetError && e.field === "f.matchFields",
    );
  });
});
