// The git generator against applicationset/generators/git.go and the repo-server it asks
// (reposerver/repository/repository.go GetGitDirectories, GetGitFiles): directory walk order,
// file order, path params at the repository root and with pathParamPrefix, file contents, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RepoReader } from "../../../core/git/reader.js";
import { context, fieldError, generateParams } from "./helpers.js";
import { memoryRepo, REPO, settle } from "./memory-repo.js";

const FIELD = "spec.generators[0].git";

/** A repository that lists its files in the order given (a RepoReader owes no order), optionally failing to read some. */
function unsortedRepo(files: Record<string, string>, unreadable: string[] = []): RepoReader {
  return {
    listFiles: () => settle(() => Object.keys(files)),
    readFile: (_repoURL, _revision, path) =>
      settle(() => {
        if (unreadable.includes(path)) throw new Error("object not found");
        return new TextEncoder().encode(files[path]);
      }),
  };
}

const git = (spec: Record<string, unknown>) => ({ git: { repoURL: REPO, revision: "HEAD", ...spec } });

describe("git directories", () => {
  it("come in filepath.WalkDir order: a directory, then what is below it, then its next sibling", async () => {
    // A plain string sort would put "a-b" and "a.b" before "a/b" ('-' and '.' sort before '/').
    const repo = unsortedRepo({ "a.b/x": "", "a-b/x": "", "a/c/x": "", "a/b/x": "", "a/x": "" });
    const params = await generateParams(git({ directories: [{ path: "*" }, { path: "*/*" }] }), context({ repo }));
    assert.deepEqual(
      params.map((p) => p.path),
      ["a", "a/b", "a/c", "a-b", "a.b"],
    );
  });

  it("an empty directories list defers to files, and an empty files list to directories (git.go: len(...) != 0)", async () => {
    const repo = memoryRepo({ "app/config.json": '{"a": "1"}' });
    assert.deepEqual(
      (await generateParams(git({ directories: [], files: [{ path: "app/config.json" }] }), context({ repo }))).map((p) => p.a),
      ["1"],
    );
    assert.deepEqual(
      (await generateParams(git({ directories: [{ path: "*" }], files: [] }), context({ repo }))).map((p) => p.path),
      ["app"],
    );
  });

  it("plain pathParamPrefix: <prefix>.path, <prefix>.path.basename, <prefix>.path[N] (generateParamsFromApps)", async () => {
    const repo = memoryRepo({ "p1/app_2/a": "" });
    const params = await generateParams(git({ directories: [{ path: "p1/*" }], pathParamPrefix: "myRepo" }), context({ repo }));
    assert.deepEqual(params, [
      {
        "myRepo.path": "p1/app_2",
        "myRepo.path.basename": "app_2",
        "myRepo.path.basenameNormalized": "app-2",
        "myRepo.path[0]": "p1",
        "myRepo.path[1]": "app_2",
      },
    ]);
  });
});

describe("git files", () => {
  it("come sorted by path (sort.Strings), each matching file once, whichever include pattern matched it", async () => {
    const repo = unsortedRepo({ "b/config.json": '{"name": "b"}', "c/other.yaml": "name: c\n", "a/config.json": '{"name": "a"}' });
    const params = await generateParams(git({ files: [{ path: "*/config.json" }, { path: "c/*.yaml" }, { path: "a/*" }] }), context({ repo }));
    assert.deepEqual(
      params.map((p) => p.name),
      ["a", "b", "c"],
    );
  });

  it("a file at the repository root has path '.' (path.Dir), basename '.', normalized ''", async () => {
    const repo = memoryRepo({ "config.json": '{"a": "1"}' });
    assert.deepEqual(await generateParams(git({ files: [{ path: "config.json" }] }), context({ repo })), [
      {
        a: "1",
        path: ".",
        "path.basename": ".",
        "path.filename": "config.json",
        "path.basenameNormalized": "",
        "path.filenameNormalized": "config.json",
        "path[0]": ".",
      },
    ]);
    assert.deepEqual(await generateParams(git({ files: [{ path: "config.json" }] }), context({ repo, goTemplate: true })), [
      { a: "1", path: { path: ".", basename: ".", filename: "config.json", basenameNormalized: "", filenameNormalized: "config.json", segments: ["."] } },
    ]);
  });

  it("plain pathParamPrefix names every path param (generateParamsFromGitFile)", async () => {
    const repo = memoryRepo({ "clusters/dev/config.yaml": "name: dev\n" });
    assert.deepEqual(await generateParams(git({ files: [{ path: "clusters/*/config.yaml" }], pathParamPrefix: "cfg" }), context({ repo })), [
      {
        name: "dev",
        "cfg.path": "clusters/dev",
        "cfg.path.basename": "dev",
        "cfg.path.filename": "config.yaml",
        "cfg.path.basenameNormalized": "dev",
        "cfg.path.filenameNormalized": "config.yaml",
        "cfg.path[0]": "clusters",
        "cfg.path[1]": "dev",
      },
    ]);
  });

  it("plain: leaves print as Go's %v: null is <nil>, numbers shortest, booleans true/false", async () => {
    const repo = memoryRepo({ "v/config.json": '{"none": null, "ratio": 1.5, "count": 10, "on": false, "list": ["a", 2]}' });
    const [params] = await generateParams(git({ files: [{ path: "v/config.json" }] }), context({ repo }));
    assert.deepEqual([params!.none, params!.ratio, params!.count, params!.on, params!["list.0"], params!["list.1"]], ["<nil>", "1.5", "10", "false", "a", "2"]);
  });

  it("plain: YAML 1.1 as go-yaml v2 reads it: no base-60 numbers, timestamps kept as written", async () => {
    const repo = memoryRepo({ "v/config.yaml": "window: 1:30\nsince: 2024-01-01\nenabled: yes\nmode: 0755\n" });
    const [params] = await generateParams(git({ files: [{ path: "v/config.yaml" }] }), context({ repo }));
    assert.deepEqual([params!.window, params!.since, params!.enabled, params!.mode], ["1:30", "2024-01-01", "true", "493"]);
  });

  it("a list whose item is null yields a set with only the path params", async () => {
    const repo = memoryRepo({ "l/items.yaml": "- name: a\n- ~\n" });
    const params = await generateParams(git({ files: [{ path: "l/items.yaml" }] }), context({ repo }));
    assert.deepEqual(
      params.map((p) => [p.name, p.path]),
      [
        ["a", "l"],
        [undefined, "l"],
      ],
    );
  });

  it("content that is not an object or a list of objects cannot be parsed (unable to parse file)", async () => {
    const repo = memoryRepo({ "bad/syntax.yaml": "a: [1, 2\n", "bad/scalars.yaml": "- a\n- b\n", "bad/scalar.yaml": "42\n" });
    for (const [file, why] of [
      ["bad/syntax.yaml", ""],
      ["bad/scalars.yaml", "list in a generator file must hold objects"],
      ["bad/scalar.yaml", "must hold an object or a list of objects"],
    ] as const) {
      await assert.rejects(
        generateParams(git({ files: [{ path: file }] }), context({ repo })),
        fieldError(FIELD, `unable to process file '${file}' from repository '${REPO}': unable to parse file`, why),
      );
    }
  });

  it("a file that cannot be read is an error naming it", async () => {
    const repo = unsortedRepo({ "a/config.json": "{}" }, ["a/config.json"]);
    await assert.rejects(
      generateParams(git({ files: [{ path: "a/*" }] }), context({ repo })),
      fieldError(FIELD, "cannot read a/config.json", "object not found"),
    );
  });
});

describe("git generator fields", () => {
  const repo = memoryRepo({ "app/config.json": "{}" });

  it("revision defaults to HEAD, and a failure to resolve it says so", async () => {
    const params = await generateParams({ git: { repoURL: REPO, directories: [{ path: "*" }] } }, context({ repo }));
    assert.deepEqual(
      params.map((p) => p.path),
      ["app"],
    );
    const failing = () => {
      throw new Error("repository not found");
    };
    await assert.rejects(
      generateParams({ git: { repoURL: REPO, directories: [{ path: "*" }] } }, context({ repo, revision: failing })),
      fieldError(FIELD, `cannot read ${REPO} at HEAD: repository not found`),
    );
  });

  it("requeueAfterSeconds and a template are accepted; an unknown field is named with the git generator's fields", async () => {
    const params = await generateParams(git({ directories: [{ path: "*" }], requeueAfterSeconds: 180, template: { metadata: {} } }), context({ repo }));
    assert.equal(params.length, 1);
    await assert.rejects(
      generateParams(git({ directories: [{ path: "*" }], recurse: true }), context({ repo })),
      fieldError(
        `${FIELD}.recurse`,
        "unknown field of the git generator (it has repoURL, revision, directories, files, pathParamPrefix, values, requeueAfterSeconds, template)",
      ),
    );
  });

  it("errors name the field", async () => {
    const rejects = (spec: Record<string, unknown>, field: string, ...includes: string[]) =>
      assert.rejects(generateParams({ git: spec }, context({ repo })), fieldError(field, ...includes));
    await rejects({ directories: [{ path: "*" }] }, `${FIELD}.repoURL`, "is required");
    await rejects({ repoURL: "", directories: [{ path: "*" }] }, `${FIELD}.repoURL`, "is required");
    await rejects({ repoURL: REPO, revision: 1, directories: [{ path: "*" }] }, `${FIELD}.revision`, "must be a string");
    await rejects({ repoURL: REPO, pathParamPrefix: true, directories: [{ path: "*" }] }, `${FIELD}.pathParamPrefix`, "must be a string");
    await rejects({ repoURL: REPO, values: { a: 1 }, directories: [{ path: "*" }] }, `${FIELD}.values.a`, "must be a string");
    await rejects({ repoURL: REPO }, FIELD, "needs directories or files");
    await rejects({ repoURL: REPO, directories: [{ path: "*" }], files: [{ path: "*" }] }, `${FIELD}.files`, "not both");
    await rejects({ repoURL: REPO, directories: { path: "*" } }, FIELD, "needs directories or files");
    await rejects({ repoURL: REPO, directories: ["*"] }, `${FIELD}.directories[0]`, "must be an object");
    await rejects({ repoURL: REPO, directories: [{ exclude: true }] }, `${FIELD}.directories[0].path`, "must be a string");
    await rejects({ repoURL: REPO, files: [{ path: "*", exclude: "yes" }] }, `${FIELD}.files[0].exclude`, "must be a boolean");
    await rejects({ repoURL: REPO, files: [{ path: "*", recurse: true }] }, `${FIELD}.files[0].recurse`, "unknown field of the git path item");
  });
});
