// The git generator's two glob dialects against their sources of truth: Go's own table for
// path.Match (the directory generator), and git itself for pathspecs (the files generator, which
// Argo CD runs as `git ls-files -- <pattern>`).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitPathspecMatch, goPathMatch } from "../../../lambdas/generate/generators/glob.js";

/**
 * matchTests from Go's src/path/match_test.go (Copyright The Go Authors, BSD-style licence): pattern,
 * name, match, and whether Go reports ErrBadPattern. A bad pattern matches nothing here, as Argo CD
 * logs the error and skips the path.
 */
const GO_MATCH_TESTS: [string, string, boolean, boolean?][] = [
  ["abc", "abc", true],
  ["*", "abc", true],
  ["*c", "abc", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ab/c", false],
  ["a*/b", "abc/b", true],
  ["a*/b", "a/c/b", false],
  ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
  ["a*b?c*x", "abxbbxdbxebxczzx", true],
  ["a*b?c*x", "abxbbxdbxebxczzy", false],
  ["ab[c]", "abc", true],
  ["ab[b-d]", "abc", true],
  ["ab[e-g]", "abc", false],
  ["ab[^c]", "abc", false],
  ["ab[^b-d]", "abc", false],
  ["ab[^e-g]", "abc", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "ab", false],
  ["a?b", "a☺b", true],
  ["a[^a]b", "a☺b", true],
  ["a???b", "a☺b", false],
  ["a[^a][^a][^a]b", "a☺b", false],
  ["[a-ζ]*", "α", true],
  ["*[a-ζ]", "A", false],
  ["a?b", "a/b", false],
  ["a*b", "a/b", false],
  ["[\\]a]", "]", true],
  ["[\\-]", "-", true],
  ["[x\\-]", "x", true],
  ["[x\\-]", "-", true],
  ["[x\\-]", "z", false],
  ["[\\-x]", "x", true],
  ["[\\-x]", "-", true],
  ["[\\-x]", "a", false],
  ["[]a]", "]", false, true],
  ["[-]", "-", false, true],
  ["[x-]", "x", false, true],
  ["[x-]", "-", false, true],
  ["[x-]", "z", false, true],
  ["[-x]", "x", false, true],
  ["[-x]", "-", false, true],
  ["[-x]", "a", false, true],
  ["\\", "a", false, true],
  ["[a-b-c]", "a", false, true],
  ["[", "a", false, true],
  ["[^", "a", false, true],
  ["[^bc", "a", false, true],
  ["a[", "a", false, true],
  ["a[", "ab", false, true],
  ["a[", "x", false, true],
  ["a/b[", "x", false, true],
  ["*x", "xxx", true],
];

/** More classes, as go1.26 `path.Match` answers them: a reversed range is no error and matches nothing; a class may match `/`. */
const GO_CLASS_CASES: [string, string, boolean][] = [
  ["a[c-ab]c", "abc", true],
  ["a[c-a]c", "abc", false],
  ["a[^c-a]c", "abc", true],
  ["a[^c-a]c", "a/c", true],
  ["a[^b]c", "a/c", true],
  ["a[!b]c", "a!c", true],
  ["a[!b]c", "abc", true],
  ["a[^b]c", "a^c", true],
  ["a[\\]]c", "a]c", true],
  ["a[b-\\d]c", "acc", true],
  ["a[b-\\", "acc", false],
  ["a[b-", "abc", false],
  ["a[b", "ab", false],
  ["[a-c]", "d", false],
  ["a[b-b]c", "abc", true],
  ["a[c-a]c", "ac", false],
  ["[ace]", "b", false],
  ["[ace]", "e", true],
  ["[a--b]", "b", false],
];

describe("the directory generator's glob is Go's path.Match", () => {
  it("agrees with every case of Go's own match_test.go", () => {
    assert.equal(GO_MATCH_TESTS.length, 56);
    const wrong = GO_MATCH_TESTS.filter(([pattern, name, match]) => goPathMatch(pattern, name) !== match);
    assert.deepEqual(wrong, []);
  });

  it("agrees with Go on reversed ranges, negation and escapes in classes", () => {
    const wrong = GO_CLASS_CASES.filter(([pattern, name, match]) => goPathMatch(pattern, name) !== match);
    assert.deepEqual(wrong, []);
  });
});

/** The fleet repository's files the pathspecs are tried on. */
const FILES = [
  "apps/config.json",
  "apps/web/config.json",
  "apps/web/values.yaml",
  "apps/web/deep/er/values.yaml",
  "apps2/config.json",
  "cluster-config/engineering/dev/config.json",
  "cluster-config/engineering/prod/other.json",
  "a*b/literal.yaml",
  "x/a?c.yaml",
  "x/abc.yaml",
  "x/a-c.yaml",
  "x/[ab].yaml",
  "x/b.yaml",
  "x/a!c.yaml",
  "x/a^c.yaml",
  "x/].yaml",
  "x/ac.yaml",
  "v1./app.yaml",
  "top.yaml",
  "dot.d/.hidden.yaml",
  "ünï/cödé.yaml",
];

const PATHSPECS = [
  "apps",
  "apps/",
  "./apps",
  "app",
  "apps/config.json",
  "apps/*.json",
  "apps/*/values.yaml",
  "apps/**/values.yaml",
  "**/values.yaml",
  "*.yaml",
  "*",
  "cluster-config/*/*/config.json",
  "cluster-config/**/config.json",
  "x/a?c.yaml",
  "x/a[bc]c.yaml",
  "x/a[!b]c.yaml",
  "x/a[^b]c.yaml",
  "x/a[a-c]c.yaml",
  "x/a\\?c.yaml",
  "a\\*b/*",
  "x/[[]ab].yaml",
  "x/?.yaml",
  "dot.d/*",
  "ünï/*.yaml",
  "ünï/c?dé.yaml",
  "*/*/*/*/values.yaml",
  "apps/web/",
  ".",
  "./",
  "././apps/web",
  "apps/web//",
  "x/a[c-ab]c.yaml",
  "x/a[c-a]c.yaml",
  "x/a[!c-a]c.yaml",
  "x/a[b-\\d]c.yaml",
  "x/a[\\!]c.yaml",
  "x/[]].yaml",
  "x/[]a].yaml",
  "x/a[b-]c.yaml",
  "x/a[-b]c.yaml",
  "x/[ab",
  "x/a[b-",
  "x/a[\\",
  "x/a\\",
  "x/a[b-b]c.yaml",
  "x/[ace].yaml",
  "v1./app.yaml",
];

describe("the files generator's glob is git's pathspec", () => {
  it("selects what `git ls-files -- <pattern>` lists, for every pattern", () => {
    const repo = mkdtempSync(join(tmpdir(), "radial-pathspec-"));
    try {
      for (const file of FILES) {
        mkdirSync(dirname(join(repo, file)), { recursive: true });
        writeFileSync(join(repo, file), "x\n");
      }
      const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "core.quotePath=false", ...args], { encoding: "utf8" });
      git("init", "-q");
      git("add", "-A");
      const wrong = PATHSPECS.flatMap((pattern) => {
        const listed = git("ls-files", "--", pattern).split("\n").filter(Boolean).sort();
        const ours = FILES.filter((file) => gitPathspecMatch(pattern, file)).sort();
        return JSON.stringify(listed) === JSON.stringify(ours) ? [] : [{ pattern, git: listed, radial: ours }];
      });
      assert.deepEqual(wrong, []);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
