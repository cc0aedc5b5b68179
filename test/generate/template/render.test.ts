// The render layer held to Argo CD: which strings fasttemplate renders (applicationset/utils/utils.go:
// isTemplatedRegex, Render.Replace, valyala/fasttemplate's Template.Reset), goTemplateOptions as Go's
// text/template Option parses them (option.go), and templatePatch as applicationset/controllers/template
// patch.go applies it: ConvertYAMLToJSON, json.Unmarshal into the Application, then
// k8s.io/apimachinery's strategicpatch.StrategicMergePatch (mergeMap, mergeSlice, removeDirectives),
// whose own table (pkg/util/strategicpatch/patch_test.go) gives several expected values here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyTemplatePatch, parseGoTemplateOptions, renderFasttemplate, renderTemplate, replaceString } from "../../../lambdas/generate/template/render.js";
import { TemplateParseError } from "../../../lambdas/generate/template/parse.js";

const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

interface App {
  metadata: { name: string; namespace: string; finalizers?: string[] };
  spec: { project?: string; source: Record<string, unknown>; destination: Record<string, string>; syncPolicy?: unknown };
}

/** The Application of Argo's Test_ApplyTemplatePatch, as the JSON Argo marshals it to before patching. */
const app = (): App => ({
  metadata: { name: "my-cluster-guestbook", namespace: "namespace", finalizers: [RESOURCES_FINALIZER] },
  spec: {
    project: "default",
    source: { repoURL: "https://github.com/argoproj/argocd-example-apps.git", targetRevision: "HEAD", path: "guestbook" },
    destination: { server: "https://kubernetes.default.svc", namespace: "guestbook" },
  },
});

type Doc = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown> };

const patch = (application: object, text: string, params: Record<string, unknown> = { x: "y" }) => applyTemplatePatch(application, text, params, []) as Doc;

/** Asserts that `fn` throws an Error whose message is exactly `message` and whose cause (Go's %w) passes `cause`. */
function throwsExactly(fn: () => unknown, message: string, cause?: (c: unknown) => boolean): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.message, message);
    if (cause) assert.ok(cause(e.cause), `unexpected cause: ${String(e.cause)}`);
    return true;
  });
}

describe("fasttemplate: a string is rendered only when one line holds {{ and then }} (Argo's isTemplatedRegex `.*{{.*}}.*`)", () => {
  it("a tag on one line of a multi-line value is replaced, the other lines kept", () => {
    assert.equal(renderFasttemplate("replicas: 2\nname: {{ name }}\nport: 80", { name: "web" }), "replicas: 2\nname: web\nport: 80");
  });

  it("a tag split across lines is not a tag: the string is kept as written, though its trimmed name is a parameter", () => {
    assert.equal(renderFasttemplate("{{ name\n}}", { name: "web" }), "{{ name\n}}");
  });

  it("}} before {{ is not templated (Argo: 'template characters but not in a template')", () => {
    assert.equal(renderFasttemplate("}}{{", { one: "two" }), "}}{{");
    assert.equal(renderFasttemplate("x }} {{", { one: "two" }), "x }} {{");
  });

  it("a line with only }} and a later line with only {{ do not make the string templated", () => {
    // Not templated, so fasttemplate never parses it: no 'Cannot find end tag' error for the dangling {{.
    assert.equal(renderFasttemplate("closing }} first\nthen an opening {{", {}), "closing }} first\nthen an opening {{");
  });

  it("an unterminated tag in a templated string is fasttemplate's error, with what follows the last {{", () => {
    throwsExactly(
      () => renderFasttemplate("{{ a }} {{ b", { a: "x" }),
      'invalid template: Cannot find end tag="}}" in the template="{{ a }} {{ b" starting from " b"',
    );
    throwsExactly(
      () => renderFasttemplate("{{properly.closed}} {{improperly.closed}", {}),
      'invalid template: Cannot find end tag="}}" in the template="{{properly.closed}} {{improperly.closed}" starting from "improperly.closed}"',
    );
  });

  it("replaceString without goTemplate is fasttemplate: non-string parameters are left as written", () => {
    assert.equal(replaceString("{{ a }}/{{ n }}", { a: "x", n: 1 }, false, { missingKey: "default" }), "x/{{ n }}");
  });
});

describe("goTemplateOptions, as Go's text/template Option parses them (option.go setOption)", () => {
  it("no options: missingkey=default", () => {
    assert.deepEqual(parseGoTemplateOptions([]), { missingKey: "default" });
  });

  it("each missingkey value, the last one winning", () => {
    for (const v of ["default", "invalid", "zero", "error"] as const) assert.deepEqual(parseGoTemplateOptions([`missingkey=${v}`]), { missingKey: v });
    assert.deepEqual(parseGoTemplateOptions(["missingkey=error", "missingkey=zero"]), { missingKey: "zero" });
  });

  it('an empty option is Go\'s "empty option string"', () => {
    throwsExactly(() => parseGoTemplateOptions([""]), "empty option string");
    throwsExactly(() => parseGoTemplateOptions(["missingkey=error", ""]), "empty option string");
  });

  it('anything but an exact key=value is "unrecognized option"', () => {
    for (const opt of ["xmissingkey=error", "missingkey=errors", "missingkey=Error", "missingkey", "missingkey=error=1", " missingkey=error"]) {
      throwsExactly(() => parseGoTemplateOptions([opt]), `unrecognized option: ${opt}`);
    }
  });

  it("renderTemplate applies them with goTemplate only (fasttemplate has no options)", () => {
    const tmpl = { metadata: { name: "{{ .missing }}" } };
    assert.deepEqual(renderTemplate(tmpl, { a: "b" }, { goTemplate: true, goTemplateOptions: [] }), { metadata: { name: "<no value>" } });
    assert.throws(() => renderTemplate(tmpl, { a: "b" }, { goTemplate: true, goTemplateOptions: ["missingkey=error"] }), /map has no entry for key "missing"/);
    assert.deepEqual(renderTemplate({ metadata: { name: "{{a}}" } }, { a: "b" }, { goTemplate: false, goTemplateOptions: [""] }), { metadata: { name: "b" } });
  });
});

describe("go template strings (Argo's Render.Replace)", () => {
  const opts = { missingKey: "default" } as const;

  it("plain text renders to itself", () => {
    assert.equal(replaceString("guestbook } { }", { a: "b" }, true, opts), "guestbook } { }");
  });

  it("a parse error is wrapped as 'failed to parse template', the parser's error as its cause (Go's %w)", () => {
    throwsExactly(
      () => replaceString("{{ nope }}", { a: "b" }, true, opts),
      'failed to parse template {{ nope }}: template: base:1: function "nope" not defined',
      (c) => c instanceof TemplateParseError && c.message === 'template: base:1: function "nope" not defined',
    );
  });

  it("an execution error is wrapped as 'failed to execute go template', the executor's error as its cause", () => {
    throwsExactly(
      () => replaceString("{{ .x }}", { a: "b" }, true, { missingKey: "error" }),
      'failed to execute go template {{ .x }}: template: base:1:3: executing "base" at <.x>: map has no entry for key "x"',
      (c) =>
        c instanceof Error && !(c instanceof TemplateParseError) && c.message === 'template: base:1:3: executing "base" at <.x>: map has no entry for key "x"',
    );
  });
});

describe("renderTemplate: nil map entries are skipped (Argo's deeplyReplace: a nil map value is not copied)", () => {
  it("null and undefined values are dropped, other scalars kept", () => {
    const tmpl = { metadata: { name: "{{ .n }}", labels: { gone: null, alsoGone: undefined, kept: "x" } }, spec: { replicas: 2, prune: false } };
    assert.deepEqual(renderTemplate(tmpl, { n: "web" }, { goTemplate: true, goTemplateOptions: [] }), {
      metadata: { name: "web", labels: { kept: "x" } },
      spec: { replicas: 2, prune: false },
    });
  });
});

describe("templatePatch: JSON or YAML (Argo's ConvertYAMLToJSON: JSON when it starts with `{` after white space)", () => {
  const labelled = () => ({ ...app(), metadata: { ...app().metadata, labels: { team: "a" } } });

  it("JSON, with tabs and leading white space", () => {
    assert.deepEqual(patch(app(), '\n\t{\n\t\t"metadata": {"labels": {"team": "a"}}\n\t}\n'), labelled());
  });

  it("YAML", () => {
    assert.deepEqual(patch(app(), "metadata:\n  labels:\n    team: a\n"), labelled());
  });

  it("JSON is held to JSON's grammar, even where YAML would accept it (a trailing comma)", () => {
    const text = '  {"metadata": {"labels": {"team": "a"}},}';
    assert.throws(
      () => patch(app(), text),
      (e: unknown) =>
        e instanceof Error &&
        e.message.startsWith(`invalid templatePatch "  {\\"metadata\\": {\\"labels\\": {\\"team\\": \\"a\\"}},}": `) &&
        e.cause instanceof SyntaxError,
    );
  });

  it("YAML that does not parse: 'error while converting template to json', the patch quoted as Go's %q", () => {
    assert.throws(
      () => patch(app(), "metadata:\n  labels: [team\n"),
      (e: unknown) =>
        e instanceof Error &&
        e.message.startsWith('error while converting template to json "metadata:\\n  labels: [team\\n": error converting YAML to JSON: yaml: ') &&
        e.cause instanceof Error,
    );
  });

  it("a patch whose top level is not an object is refused with its JSON kind, the YAML quoted as converted to JSON", () => {
    const cases: [string, string][] = [
      ["hello world", 'invalid templatePatch "\\"hello world\\"": json: cannot unmarshal string into Go value of type v1alpha1.Application'],
      ["- a\n- b\n", 'invalid templatePatch "[\\"a\\",\\"b\\"]": json: cannot unmarshal array into Go value of type v1alpha1.Application'],
      ["[1, 2]", 'invalid templatePatch "[1,2]": json: cannot unmarshal array into Go value of type v1alpha1.Application'],
      ["true", 'invalid templatePatch "true": json: cannot unmarshal bool into Go value of type v1alpha1.Application'],
      ["42", 'invalid templatePatch "42": json: cannot unmarshal number into Go value of type v1alpha1.Application'],
    ];
    for (const [text, message] of cases) throwsExactly(() => patch(app(), text), message);
  });

  it("a patch that renders to nothing (null, empty, a comment) leaves the Application as it is, as a copy", () => {
    for (const text of ["", "null", "~", "# nothing to patch\n", "{{ if false }}spec: {}{{ end }}"]) {
      const original = app();
      const out = patch(original, text);
      assert.deepEqual(out, app(), JSON.stringify(text));
      assert.notEqual(out, original);
    }
  });

  it("rendering errors are wrapped as Argo's renderTemplatePatch does, the render error as cause", () => {
    throwsExactly(
      () => patch(app(), "spec: {{ nope }}"),
      'error replacing values in templatePatch: failed to parse template spec: {{ nope }}: template: base:1: function "nope" not defined',
      (c) => c instanceof Error && c.message.startsWith("failed to parse template spec: {{ nope }}:"),
    );
  });
});

describe("templatePatch: strategic merge into the Application (strategicpatch.StrategicMergePatch)", () => {
  it("maps merge key by key; null deletes a key; scalars are replaced", () => {
    const base = { ...app(), metadata: { ...app().metadata, labels: { env: "prod", old: "1" } } };
    const out = patch(base, "metadata:\n  labels:\n    team: a\n    old: null\n  annotations:\n    note: x\nspec:\n  source:\n    targetRevision: main\n");
    assert.deepEqual(out.metadata, { ...app().metadata, labels: { env: "prod", team: "a" }, annotations: { note: "x" } });
    assert.deepEqual(out.spec?.source, { ...app().spec.source, targetRevision: "main" });
  });

  it("a new subtree is taken without its nulls and without maps that hold a $patch directive (removeDirectives)", () => {
    const out = patch(app(), "spec:\n  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: null\n    retry:\n      $patch: delete\n");
    assert.deepEqual(out.spec?.syncPolicy, { automated: { prune: true } });
    const lists = patch(
      app(),
      "spec:\n  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n      name: null\n      jsonPointers: [/spec/replicas]\n    - $patch: delete\n",
    );
    assert.deepEqual(lists.spec?.ignoreDifferences, [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }]);
    // A null $patch is only a null value: discarded like any other, before directives are looked for.
    assert.deepEqual(patch(app(), "spec:\n  syncPolicy:\n    $patch: null\n    syncOptions: [A=b]\n").spec?.syncPolicy, { syncOptions: ["A=b"] });
  });

  it("lists without a merge strategy (helm valueFiles, syncOptions) are replaced", () => {
    const base = app();
    base.spec.source = { ...base.spec.source, helm: { valueFiles: ["values.yaml", "values-prod.yaml"] } };
    base.spec.syncPolicy = { syncOptions: ["CreateNamespace=true"] };
    const out = patch(
      base,
      "spec:\n  source:\n    helm:\n      valueFiles: [values-dev.yaml, values.yaml]\n  syncPolicy:\n    syncOptions: [CreateNamespace=true, ServerSideApply=true]\n",
    );
    assert.deepEqual((out.spec?.source as { helm: unknown }).helm, { valueFiles: ["values-dev.yaml", "values.yaml"] });
    assert.deepEqual(out.spec?.syncPolicy, { syncOptions: ["CreateNamespace=true", "ServerSideApply=true"] });
  });

  describe("helm valuesObject is free-form (runtime.RawExtension): strategicpatch finds no fields in it", () => {
    const withValues = (valuesObject: unknown) => {
      const base = app();
      base.spec.source = { ...base.spec.source, helm: { valuesObject } };
      return base;
    };
    const valuesOf = (out: Doc) => (out.spec?.source as { helm: { valuesObject: unknown } }).helm.valuesObject;

    it("scalars and new keys merge into it; a map replacing a scalar is taken without its nulls", () => {
      const out = patch(
        withValues({ replicas: 1, image: "nginx", ingress: { enabled: false } }),
        "spec:\n  source:\n    helm:\n      valuesObject:\n        replicas: 3\n        image:\n          repository: nginx\n          tag: null\n        resources:\n          limits: { cpu: 1 }\n",
      );
      assert.deepEqual(valuesOf(out), { replicas: 3, image: { repository: "nginx" }, ingress: { enabled: false }, resources: { limits: { cpu: 1 } } });
      // A list replacing a map (and a map replacing a list) is taken, as any value of another kind.
      const swapped = patch(
        withValues({ hosts: { main: "a.example" }, ports: [80] }),
        "spec:\n  source:\n    helm:\n      valuesObject:\n        hosts: [b.example]\n        ports: { http: 80 }\n",
      );
      assert.deepEqual(valuesOf(swapped), { hosts: ["b.example"], ports: { http: 80 } });
    });

    it("merging a map into a map already there is Argo's error (argoproj/argo-cd#22850)", () => {
      const base = withValues({ prometheus: { "kube-state-metrics": { namespaces: "a" } } });
      const text = 'spec:\n  source:\n    helm:\n      valuesObject:\n        prometheus:\n          kube-state-metrics:\n            namespaces: ""\n';
      throwsExactly(
        () => patch(base, text),
        'error while applying templatePatch template to json "{\\"spec\\":{\\"source\\":{\\"helm\\":{\\"valuesObject\\":{\\"prometheus\\":{\\"kube-state-metrics\\":{\\"namespaces\\":\\"\\"}}}}}}}": ' +
          'unable to find api field in struct RawExtension for the json field "prometheus"',
      );
      assert.throws(
        () => patch(withValues({ hosts: ["a"] }), "spec:\n  source:\n    helm:\n      valuesObject:\n        hosts: [b]\n"),
        /for the json field "hosts"$/,
      );
    });
  });

  describe("metadata.finalizers merges as a set (ObjectMeta: patchStrategy merge; mergeSlice + normalizeElementOrder)", () => {
    const finalizers = (original: string[] | undefined, patched: string): unknown => {
      const base = app();
      if (original === undefined) delete base.metadata.finalizers;
      else base.metadata.finalizers = original;
      return patch(base, `metadata:\n  finalizers: ${patched}\n`).metadata.finalizers;
    };

    it("no duplicates: a finalizer already there is not added again", () => {
      assert.deepEqual(finalizers([RESOURCES_FINALIZER], `[${RESOURCES_FINALIZER}, example.com/cleanup]`), [RESOURCES_FINALIZER, "example.com/cleanup"]);
      assert.deepEqual(finalizers([RESOURCES_FINALIZER], `[${RESOURCES_FINALIZER}]`), [RESOURCES_FINALIZER]);
      assert.deepEqual(finalizers(["a", "a"], "[a]"), ["a"]);
      assert.deepEqual(finalizers([RESOURCES_FINALIZER], "[x, x]"), ["x", RESOURCES_FINALIZER]);
      assert.deepEqual(finalizers(["a", "a"], "[b]"), ["b", "a"]);
    });

    it("the patch's new finalizers come before the original's others (mergeSortedSlice)", () => {
      assert.deepEqual(finalizers([RESOURCES_FINALIZER], `[${RESOURCES_FINALIZER}/background]`), [`${RESOURCES_FINALIZER}/background`, RESOURCES_FINALIZER]);
    });

    it("strategicpatch's own cases: unique scalars, and the patch's order preserved", () => {
      assert.deepEqual(finalizers(["1", "2"], '["2", "3"]'), ["1", "2", "3"]);
      assert.deepEqual(finalizers(["1", "2", "3"], '["3", "1", "2"]'), ["3", "1", "2"]);
      assert.deepEqual(finalizers(["1", "2", "3"], '["3", "1"]'), ["2", "3", "1"]);
    });

    it("an empty list removes nothing; null removes them all; with none before, the patch's list is taken as is", () => {
      assert.deepEqual(finalizers([RESOURCES_FINALIZER], "[]"), [RESOURCES_FINALIZER]);
      assert.equal(finalizers([RESOURCES_FINALIZER], "null"), undefined);
      assert.deepEqual(finalizers(undefined, "[a, b]"), ["a", "b"]);
    });
  });

  describe("$patch directives (handleDirectiveInMergeMap)", () => {
    const synced = () => {
      const base = app();
      base.spec.syncPolicy = { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] };
      return base;
    };

    it("$patch: delete empties the map, and the key stays ('delete map from nested map': simpleMap: {})", () => {
      const out = patch(synced(), "spec:\n  syncPolicy:\n    automated:\n      $patch: delete\n");
      // An empty automated block still turns automated sync on in Argo CD.
      assert.deepEqual(out.spec?.syncPolicy, { automated: {}, syncOptions: ["CreateNamespace=true"] });
    });

    it("$patch: delete of a map the Application does not have adds nothing", () => {
      const out = patch(app(), "spec:\n  syncPolicy:\n    $patch: delete\n");
      assert.deepEqual(out, app());
    });

    it("$patch: delete of the whole Application leaves only the template's project", () => {
      assert.deepEqual(patch(synced(), "$patch: delete"), { spec: { project: "default" } });
    });

    it("$patch: replace takes the patch's map instead of merging ('add key and delete all keys from map')", () => {
      const out = patch(synced(), "spec:\n  syncPolicy:\n    $patch: replace\n    syncOptions: [ServerSideApply=true]\n    retry: null\n");
      assert.deepEqual(out.spec?.syncPolicy, { syncOptions: ["ServerSideApply=true"] });
    });

    it("$patch: replace leaves no nulls, inside lists too (Argo unmarshals the map into the Application: name is omitempty)", () => {
      const out = patch(synced(), "spec:\n  $patch: replace\n  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n      name: null\n");
      assert.deepEqual(out.spec, { project: "default", ignoreDifferences: [{ group: "apps", kind: "Deployment" }] });
    });

    it("$patch: replace of a map the Application does not have is dropped with its directive", () => {
      const out = patch(app(), "spec:\n  syncPolicy:\n    $patch: replace\n    syncOptions: [ServerSideApply=true]\n");
      assert.deepEqual(out, app());
    });

    it("any other $patch value is strategicpatch's 'unknown patch type', wrapped with the patch as JSON", () => {
      throwsExactly(
        () => patch(synced(), "spec:\n  syncPolicy:\n    $patch: merge\n    automated:\n      prune: false\n"),
        'error while applying templatePatch template to json "{\\"spec\\":{\\"syncPolicy\\":{\\"$patch\\":\\"merge\\",\\"automated\\":{\\"prune\\":false}}}}": ' +
          "unknown patch type: merge in map: map[$patch:merge automated:map[prune:false]]",
        (c) => c instanceof Error && c.message.startsWith("unknown patch type: merge"),
      );
      // A JSON patch is quoted as written.
      const json = '{"spec": {"syncPolicy": {"$patch": "merge"}}}';
      throwsExactly(
        () => patch(synced(), json),
        'error while applying templatePatch template to json "{\\"spec\\": {\\"syncPolicy\\": {\\"$patch\\": \\"merge\\"}}}": unknown patch type: merge in map: map[$patch:merge]',
      );
    });
  });

  describe("spec.project is the template's, whatever the patch says (patch.go: finalApp.Spec.Project = app.Spec.Project)", () => {
    it("a patch cannot set a project the template did not have", () => {
      const base = app();
      delete base.spec.project;
      const out = patch(base, "spec:\n  project: my-project\n  source:\n    path: other\n");
      assert.deepEqual(out.spec, { source: { ...app().spec.source, path: "other" }, destination: app().spec.destination });
    });

    it("a patch that deletes spec keeps the project", () => {
      assert.deepEqual(patch(app(), "spec: null").spec, { project: "default" });
      assert.deepEqual(patch(app(), "spec:\n  $patch: replace\n  destination:\n    name: in-cluster\n").spec, {
        project: "default",
        destination: { name: "in-cluster" },
      });
    });

    it("with no spec and no project, no spec is made up", () => {
      assert.deepEqual(patch({ metadata: { name: "a" } }, "metadata:\n  labels:\n    team: a\n"), { metadata: { name: "a", labels: { team: "a" } } });
      assert.deepEqual(patch({ metadata: { name: "a" }, spec: { source: { path: "p" } } }, "spec: null"), { metadata: { name: "a" } });
    });
  });
});
