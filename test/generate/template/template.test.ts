// Conformance tests for the ApplicationSet template engine. Cases marked "Argo:" are taken from
// Argo CD's applicationset/utils/utils_test.go and applicationset/controllers/template/patch_test.go
// (inputs and expected outputs as there; Argo parses into a template named "base").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyTemplatePatch, renderFasttemplate, renderGoTemplate, renderTemplate, sanitizeName } from "../../../lambdas/generate/template/index.js";

const go = (text: string, data: unknown, missingKey: "default" | "invalid" | "zero" | "error" = "default") => renderGoTemplate(text, data, { missingKey });

/** Renders one field through renderTemplate, like Argo's table tests do for each Application string field. */
function renderField(field: string, params: Record<string, unknown>, goTemplate: boolean, goTemplateOptions: string[] = []): string {
  const template = {
    metadata: { name: "application-one", namespace: "default", labels: { "label-key": "label-value" } },
    spec: { project: field, source: { repoURL: field, path: field, targetRevision: field }, destination: { server: field, namespace: field } },
  };
  const out = renderTemplate(template, params, { goTemplate, goTemplateOptions }) as typeof template;
  for (const v of [out.spec.source.repoURL, out.spec.source.path, out.spec.destination.server, out.spec.destination.namespace])
    assert.equal(v, out.spec.project);
  assert.deepEqual(out.metadata, template.metadata);
  return out.spec.project;
}

describe("fasttemplate (Argo: TestRenderTemplateParams)", () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ["simple substitution", "{{one}}", { one: "two" }, "two"],
    ["simple substitution with whitespace", "{{ one }}", { one: "two" }, "two"],
    ["template characters but not in a template", "}} {{", { one: "two" }, "}} {{"],
    ["nested template", "{{ }}", { one: "{{ }}" }, "{{ }}"],
    ["field with whitespace", "{{ }}", { " ": "two", "": "three" }, "{{ }}"],
    ["template contains itself, containing itself", "{{one}}", { "{{one}}": "{{one}}" }, "{{one}}"],
    ["template contains itself, containing something else", "{{one}}", { "{{one}}": "{{two}}" }, "{{one}}"],
    ["templates are case sensitive", "{{ONE}}", { "{{one}}": "two" }, "{{ONE}}"],
    ["multiple on a line", "{{one}}{{one}}", { one: "two" }, "twotwo"],
    ["multiple different on a line", "{{one}}{{three}}", { one: "two", three: "four" }, "twofour"],
    ["multiple different on a line with quote", "{{one}} {{three}}", { one: '"hello" world', three: "four" }, '"hello" world four'],
  ];
  for (const [name, field, params, expected] of cases) {
    it(name, () => assert.equal(renderField(field, params, false), expected));
  }

  it("leaves unknown and non-string parameters as written", () => {
    assert.equal(renderFasttemplate("{{ name }}-{{missing}}-{{  x  }}", { name: "a" }), "a-{{missing}}-{{  x  }}");
    assert.equal(renderField("{{n}}", { n: 3 }, false), "{{n}}");
  });

  it("dotted flat keys are plain keys", () => {
    assert.equal(renderFasttemplate("{{metadata.labels.env}}/{{path.basename}}", { "metadata.labels.env": "prod", "path.basename": "app" }), "prod/app");
  });

  it("Argo: Test_Render_Replace_no_panic_on_missing_closing_brace", () => {
    assert.throws(() => renderFasttemplate("{{properly.closed}} {{improperly.closed}", {}), /invalid template: Cannot find end tag="}}"/);
  });

  it("a lone {{ that does not look templated is kept", () => {
    assert.equal(renderFasttemplate("a {{ b", {}), "a {{ b");
  });
});

describe("go template (Argo: TestRenderTemplateParamsGoTemplate)", () => {
  const hpa = (enabled: boolean) => ({ replicas: 3, hpa: { enabled, minReplicas: 1, maxReplicas: 5 } });
  const cases: [string, string, Record<string, unknown>, string, string[]?][] = [
    ["simple substitution", "{{ .one }}", { one: "two" }, "two"],
    ["template contains itself, containing itself", "{{ .one }}", { one: "{{one}}" }, "{{one}}"],
    ["template contains itself, containing something else", "{{ .one }}", { one: "{{two}}" }, "{{two}}"],
    ["multiple on a line", "{{.one}}{{.one}}", { one: "two" }, "twotwo"],
    ["multiple different on a line", "{{.one}}{{.three}}", { one: "two", three: "four" }, "twofour"],
    ["multiple different on a line with quote", "{{.one}} {{.three}}", { one: '"hello" world', three: "four" }, '"hello" world four'],
    ["depth", "{{ .image.version }}", { replicas: 3, image: { name: "busybox", version: "latest" } }, "latest"],
    ["multiple depth", "{{ .image.name }}:{{ .image.version }}", { replicas: 3, image: { name: "busybox", version: "latest" } }, "busybox:latest"],
    ["if ok", "{{ if .hpa.enabled }}{{ .hpa.maxReplicas }}{{ else }}{{ .replicas }}{{ end }}", hpa(true), "5"],
    ["if not ok", "{{ if .hpa.enabled }}{{ .hpa.maxReplicas }}{{ else }}{{ .replicas }}{{ end }}", hpa(false), "3"],
    [
      "loop",
      "{{ range .volumes }}[{{ .name }}]{{ end }}",
      {
        replicas: 3,
        volumes: [
          { name: "volume-one", emptyDir: {} },
          { name: "volume-two", emptyDir: {} },
        ],
      },
      "[volume-one][volume-two]",
    ],
    [
      "Index",
      `{{ index .admin "admin-ca" }}, {{ index .admin "admin-jks" }}`,
      { admin: { "admin-ca": "value admin ca", "admin-jks": "value admin jks" } },
      "value admin ca, value admin jks",
    ],
    [
      "Index (escapes)",
      `{{ index .admin "admin-ca" }}, \\\\ "Hello world", {{ index .admin "admin-jks" }}`,
      { admin: { "admin-ca": `value "admin" ca with \\`, "admin-jks": "value admin jks" } },
      `value "admin" ca with \\, \\\\ "Hello world", value admin jks`,
    ],
    ["quote", "{{.quote}}", { quote: '"' }, '"'],
    ["Test No Data", "{{.data}}", {}, "{{.data}}"],
    ["lookup missing value with missingkey=default", "--> {{.doesnotexist}} <--", { unused: "this is not used" }, "--> <no value> <--"],
    [
      "toYaml",
      "{{ toYaml . | indent 2 }}",
      { foo: { bar: { bool: true, number: 2, str: "Hello world" } } },
      "  foo:\n    bar:\n      bool: true\n      number: 2\n      str: Hello world",
    ],
    ["fromYaml", `{{ get (fromYaml .value) "hello" }}`, { value: "hello: world" }, "world"],
    ["fromYamlArray", "{{ fromYamlArray .value | last }}", { value: "- hello world\n- bonjour tout le monde" }, "bonjour tout le monde"],
  ];
  for (const [name, field, params, expected, opts] of cases) {
    it(name, () => assert.equal(renderField(field, params, true, opts ?? []), expected));
  }

  const errors: [string, string, Record<string, unknown>, string, string[]?][] = [
    [
      "Test Parse Error",
      "{{functiondoesnotexist}}",
      { data: "a data string" },
      `failed to parse template {{functiondoesnotexist}}: template: base:1: function "functiondoesnotexist" not defined`,
    ],
    [
      "Test template error",
      "{{.data.test}}",
      { data: "a data string" },
      `failed to execute go template {{.data.test}}: template: base:1:7: executing "base" at <.data.test>: can't evaluate field test in type interface {}`,
    ],
    [
      "lookup missing value with missingkey=error",
      "--> {{.doesnotexist}} <--",
      { unused: "this is not used" },
      `failed to execute go template --> {{.doesnotexist}} <--: template: base:1:6: executing "base" at <.doesnotexist>: map has no entry for key "doesnotexist"`,
      ["missingkey=error"],
    ],
    [
      "fromYaml error",
      `{{ get (fromYaml .value) "hello" }}`,
      { value: "non\n compliant\n yaml" },
      `failed to execute go template {{ get (fromYaml .value) "hello" }}: template: base:1:8: executing "base" at <fromYaml .value>: error calling fromYaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}`,
    ],
    [
      "fromYamlArray error",
      "{{ fromYamlArray .value | last }}",
      { value: "non\n compliant\n yaml" },
      `failed to execute go template {{ fromYamlArray .value | last }}: template: base:1:3: executing "base" at <fromYamlArray .value>: error calling fromYamlArray: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type []interface {}`,
    ],
  ];
  for (const [name, field, params, message, opts] of errors) {
    it(name, () =>
      assert.throws(
        () => renderField(field, params, true, opts ?? []),
        (e: Error) => {
          assert.equal(e.message, message);
          return true;
        },
      ),
    );
  }
});

describe("Argo: TestRenderTemplateKeys, TestRenderHelmValuesObject*", () => {
  it("fasttemplate renders map keys", () => {
    const out = renderTemplate(
      { metadata: { annotations: { "annotation-{{key}}": "annotation-{{value}}" } } },
      { key: "some-key", value: "some-value" },
      { goTemplate: false, goTemplateOptions: [] },
    );
    assert.deepEqual(out, { metadata: { annotations: { "annotation-some-key": "annotation-some-value" } } });
  });
  it("gotemplate renders map keys", () => {
    const out = renderTemplate(
      { metadata: { annotations: { "annotation-{{ .key }}": "annotation-{{ .value }}" } } },
      { key: "some-key", value: "some-value" },
      { goTemplate: true, goTemplateOptions: [] },
    );
    assert.deepEqual(out, { metadata: { annotations: { "annotation-some-key": "annotation-some-value" } } });
  });
  it("helm valuesObject strings are rendered", () => {
    const tmpl = { spec: { source: { helm: { valuesObject: { some: { string: "{{.test}}" }, n: 3, b: true } } } } };
    const out = renderTemplate(tmpl, { test: "Hello world" }, { goTemplate: true, goTemplateOptions: [] });
    assert.deepEqual(out, { spec: { source: { helm: { valuesObject: { some: { string: "Hello world" }, n: 3, b: true } } } } });
  });
  it("does not mutate its input, drops null map values, keeps other scalars", () => {
    const tmpl = { metadata: { name: "{{.name}}", labels: { gone: null } }, spec: { list: ["{{.name}}", 1, null] } };
    const copy = structuredClone(tmpl);
    const out = renderTemplate(tmpl, { name: "a" }, { goTemplate: true, goTemplateOptions: [] });
    assert.deepEqual(tmpl, copy);
    assert.deepEqual(out, { metadata: { name: "a", labels: {} }, spec: { list: ["a", 1, null] } });
  });
  it("unknown goTemplateOptions are refused", () => {
    assert.throws(
      () => renderTemplate({}, { a: "b" }, { goTemplate: true, goTemplateOptions: ["missingkey=sometimes"] }),
      /unrecognized option: missingkey=sometimes/,
    );
  });
});

describe("go template language", () => {
  const data = {
    name: "in-cluster",
    nameNormalized: "in-cluster",
    metadata: { labels: { env: "prod", tier: "" } },
    path: { path: "apps/guestbook", basename: "guestbook", segments: ["apps", "guestbook"] },
    replicas: 3,
    big: 1000000,
    list: ["a", "b"],
    map: { b: 2, a: 1 },
    nothing: null,
  };
  const cases: [string, string][] = [
    ["{{ .metadata.labels.env }}", "prod"],
    ["{{ index .path.segments 1 }}", "guestbook"],
    ["{{ .path.basename | upper }}", "GUESTBOOK"],
    ["{{- /* a comment */ -}}\n  {{ .name -}}  \n  !", "in-cluster!"],
    ['{{ $n := .name }}{{ $n }}{{ $n = "x" }}{{ $n }}', "in-clusterx"],
    ["{{ range $i, $s := .path.segments }}{{ $i }}={{ $s }};{{ end }}", "0=apps;1=guestbook;"],
    ["{{ range $k, $v := .map }}{{ $k }}:{{ $v }} {{ end }}", "a:1 b:2 "],
    ["{{ range .missing }}x{{ else }}none{{ end }}", "none"],
    ["{{ with .metadata.labels }}{{ .env }}{{ end }}", "prod"],
    ["{{ with .metadata.labels.tier }}x{{ else }}empty{{ end }}", "empty"],
    ['{{ if eq .name "a" }}a{{ else if eq .name "in-cluster" }}b{{ else }}c{{ end }}', "b"],
    ["{{ if and .name (not .nothing) }}yes{{ end }}", "yes"],
    ['{{ or .metadata.labels.tier "fallback" }}', "fallback"],
    ['{{ len .list }} {{ len .map }} {{ len "héllo" }}', "2 2 6"],
    ["{{ .replicas }} {{ .big }} {{ .nothing }}", "3 1e+06 <no value>"],
    ["{{ .list }} {{ .map }}", "[a b] map[a:1 b:2]"],
    ['{{ print 1 2 "a" "b" 3 }}', "1 2ab3"],
    ['{{ printf "%s-%d-%05d-%v-%q" .name 7 42 .replicas .name }}', 'in-cluster-7-00042-3-"in-cluster"'],
    ['{{ printf "%d" .replicas }}', "%!d(float64=3)"],
    ["{{ println .name }}", "in-cluster\n"],
    ["{{ (index .path.segments 0) | upper }}", "APPS"],
    ['{{ range .list }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', "a"],
    ['{{ lt 1 2 }} {{ ge 2.5 2.5 }} {{ ne .name "x" }}', "true true true"],
  ];
  for (const [text, expected] of cases) it(text, () => assert.equal(go(text, data), expected));

  it("missingkey modes", () => {
    assert.equal(go("{{ .nope }}", data, "default"), "<no value>");
    assert.equal(go("{{ .nope }}", data, "invalid"), "<no value>");
    assert.equal(go("{{ .nope }}", data, "zero"), "<no value>");
    assert.equal(go("{{ .nope.deeper }}", data, "default"), "<no value>");
    assert.throws(() => go("{{ .nope.deeper }}", data, "zero"), /nil pointer evaluating interface \{\}\.deeper/);
    assert.throws(() => go("{{ .metadata.labels.envx }}", data, "error"), {
      message: 'template: base:1:12: executing "base" at <.metadata.labels.envx>: map has no entry for key "envx"',
    });
  });

  const errors: [string, RegExp][] = [
    ["{{ .name ", /: template: base:1: unclosed action$/],
    ["{{ if .name }}x", /: template: base:1: unexpected EOF$/],
    ["{{ end }}", /: template: base:1: unexpected \{\{end\}\}$/],
    ["{{ $x }}", /: template: base:1: undefined variable "\$x"$/],
    ['{{ env "HOME" }}', /function "env" not defined/],
    ['{{ expandenv "$HOME" }}', /function "expandenv" not defined/],
    ['{{ getHostByName "x" }}', /function "getHostByName" not defined/],
    ["{{ upper .replicas }}", /at <\.replicas>: wrong type for value; expected string; got float64$/],
    ['{{ trunc "3" .name }}', /at <"3">: expected integer; found "3"$/],
    ["{{ eq .replicas 3 }}", /error calling eq: incompatible types for comparison: float64 and int$/],
    ["{{ index .list 5 }}", /error calling index: index out of range: 5$/],
    ["{{ div 1 0 }}", /error calling div: runtime error: integer divide by zero$/],
    ['{{ fail "boom" }}', /error calling fail: boom$/],
    ["{{ lower }}", /wrong number of args for lower: want 1 got 0$/],
    ["{{ .name.x }}", /can't evaluate field x in type interface \{\}$/],
  ];
  for (const [text, re] of errors) it(`error: ${text}`, () => assert.throws(() => go(text, data), re));
});

describe("sprig and Argo functions", () => {
  const d = { name: "My_Cluster.", s: "a,b,c", empty: "", n: 5, m: { a: 1 }, l: ["x", "y"] };
  const cases: [string, string][] = [
    ['{{ default "dflt" .missing }} {{ .empty | default "e" }} {{ default "d" .name }}', "dflt e My_Cluster."],
    ['{{ empty .empty }} {{ empty .n }} {{ coalesce .missing "" "c" }} {{ ternary "y" "n" true }}', "true false c y"],
    ['{{ lower "AbC" }} {{ upper "abc" }} {{ title "hello world" }} {{ trim "  x  " }}', "abc ABC Hello World x"],
    ['{{ trimSuffix "-x" "a-x" }} {{ trimPrefix "x-" "x-a" }} {{ trimAll "$" "$5.00$" }}', "a a 5.00"],
    ['{{ replace "-" "_" "a-b-c" }} {{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }}', "a_b_c abc ef"],
    ['{{ contains "b" "abc" }} {{ hasPrefix "a" "abc" }} {{ hasSuffix "c" "abc" }}', "true true true"],
    ['{{ quote "a" .n }} {{ squote "b" }} {{ cat "a" .missing 1 "b" }}', '"a" "5" \'b\' a 1 b'],
    ['{{ indent 2 "a\\nb" }}|{{ nindent 2 "c" }}', "  a\n  b|\n  c"],
    ['{{ toJson .m }} {{ toJson (list 1 "<b>" true) }} {{ toPrettyJson .m }}', '{"a":1} [1,"\\u003cb\\u003e",true] {\n  "a": 1\n}'],
    ["{{ toYaml .m }}|{{ toYaml .l }}", 'a: 1|- x\n- "y"'],
    ['{{ (fromJson "{\\"a\\": [1, 2]}").a }}', "[1 2]"],
    ['{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }}', "aGVsbG8= hello"],
    ['{{ sha256sum "hello" }}', "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
    ['{{ sha1sum "hello" }}', "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"],
    ['{{ list 1 "a" }} {{ $d := dict "k" "v" "n" 1 }}{{ get $d "k" }} {{ get $d "zz" }}|{{ hasKey $d "n" }}', "[1 a] v |true"],
    ['{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ keys $d | sortAlpha }} {{ toJson (merge $d (dict "a" 9 "c" 3)) }}', '[a b] {"a":1,"b":2,"c":3}'],
    ['{{ $d := dict "a" 1 "b" 2 }}{{ toJson (mergeOverwrite $d (dict "a" 9 "c" 3)) }}', '{"a":9,"b":2,"c":3}'],
    ['{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }} {{ first .l }} {{ last .l }}', "[1 3] x y"],
    ['{{ join "-" .l }} {{ split "," .s }} {{ splitList "," .s }}', "x-y map[_0:a _1:b _2:c] [a b c]"],
    ['{{ regexMatch "^[a-z]+$" "abc" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexFind "[0-9]+" "ab12cd34" }}', "true -W-xxW- 12"],
    [
      '{{ atoi "42" }} {{ int "7" }} {{ int .n }} {{ toString .n }} {{ add 1 2 .n }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 3 }}',
      "42 7 5 5 8 3 6 3 1",
    ],
    ["{{ max 1 9 3 }} {{ min 4 2 8 }} {{ until 3 }} {{ add1 .n }}", "9 2 [0 1 2] 6"],
    ["{{ normalize .name }} {{ .name | normalize }}", "my-cluster my-cluster"],
  ];
  for (const [text, expected] of cases) it(text, () => assert.equal(go(text, d), expected));

  it("normalize is Argo's SanitizeName", () => {
    assert.equal(sanitizeName("-Foo_Bar.baz-"), "foo-bar.baz");
    assert.equal(sanitizeName("x".repeat(300)).length, 253);
  });
});

describe("templatePatch (Argo: Test_ApplyTemplatePatch)", () => {
  const app = () => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "my-cluster-guestbook", namespace: "namespace", finalizers: ["resources-finalizer.argocd.argoproj.io"] },
    spec: {
      project: "default",
      source: { repoURL: "https://github.com/argoproj/argocd-example-apps.git", targetRevision: "HEAD", path: "guestbook" },
      destination: { server: "https://kubernetes.default.svc", namespace: "guestbook" },
    },
  });
  const expected = () => {
    const e = app() as ReturnType<typeof app> & { metadata: { annotations?: unknown }; spec: { syncPolicy?: unknown; source: { helm?: unknown } } };
    e.metadata.annotations = { "annotation-some-key": "annotation-some-value" };
    e.spec.source.helm = { valueFiles: ["values.test.yaml", "values.big.yaml"] };
    e.spec.syncPolicy = { automated: { prune: true } };
    return e;
  };

  it("patch with JSON", () => {
    const patch = `{
      "metadata": { "annotations": { "annotation-some-key": "annotation-some-value" } },
      "spec": { "source": { "helm": { "valueFiles": ["values.test.yaml", "values.big.yaml"] } }, "syncPolicy": { "automated": { "prune": true } } }
    }`;
    assert.deepEqual(applyTemplatePatch(app(), patch, { x: "y" }, []), expected());
  });

  it("patch with YAML", () => {
    const patch = `
metadata:
  annotations:
    annotation-some-key: annotation-some-value
spec:
  source:
    helm:
      valueFiles:
        - values.test.yaml
        - values.big.yaml
  syncPolicy:
    automated:
      prune: true`;
    assert.deepEqual(applyTemplatePatch(app(), patch, { x: "y" }, []), expected());
  });

  it("project field isn't overwritten", () => {
    const out = applyTemplatePatch(app(), "spec:\n  project: my-project", { x: "y" }, []) as ReturnType<typeof app>;
    assert.equal(out.spec.project, "default");
  });

  it("TestError: a patch that is not an object is an error", () => {
    assert.throws(() => applyTemplatePatch({}, "hello world", {}, []), /invalid templatePatch/);
  });

  it("renders the patch as a go template (docs: conditional automated sync)", () => {
    const patch = `
spec:
  source:
    helm:
      valueFiles:
      - values-{{ .env }}.yaml
{{- if .autoSync }}
  syncPolicy:
    automated:
      prune: {{ .prune }}
{{- end }}
`;
    const base = { ...app(), spec: { ...app().spec, source: { ...app().spec.source, helm: { valueFiles: ["a.yaml"], releaseName: "r" } } } };
    const out = applyTemplatePatch(base, patch, { env: "prod", autoSync: true, prune: false }, []) as { spec: Record<string, unknown> };
    assert.deepEqual(out.spec.source, { ...app().spec.source, helm: { valueFiles: ["values-prod.yaml"], releaseName: "r" } });
    assert.deepEqual(out.spec.syncPolicy, { automated: { prune: false } });
    const off = applyTemplatePatch(base, patch, { env: "dev", autoSync: false, prune: false }, []) as { spec: Record<string, unknown> };
    assert.equal(off.spec.syncPolicy, undefined);
    assert.deepEqual(base.spec.source.helm.valueFiles, ["a.yaml"]); // input untouched
  });

  it("null deletes a key; template errors are wrapped", () => {
    const base = { ...app(), spec: { ...app().spec, syncPolicy: { automated: {} } } };
    const out = applyTemplatePatch(base, "spec:\n  syncPolicy: null", { a: "b" }, []) as { spec: Record<string, unknown> };
    assert.equal(out.spec.syncPolicy, undefined);
    assert.throws(
      () => applyTemplatePatch(app(), "spec: {{ .nope }}", { a: "b" }, ["missingkey=error"]),
      /^Error: error replacing values in templatePatch: failed to execute go template spec: \{\{ \.nope \}\}: template: base:1:9: executing "base" at <\.nope>: map has no entry for key "nope"$/,
    );
  });
});

describe("Argo: TestSlugify", () => {
  const branch = "feat/a_really+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature";
  const word = "feat/areallylongpullrequestnametotestargoslugificationandbranchnameshorteningfeature";
  const cases: [string, boolean, number, string][] = [
    [branch, false, 50, "feat-a-really-long-pull-request-name-to-test-argo"],
    [branch, true, 53, "feat-a-really-long-pull-request-name-to-test-argo"],
    [word, true, 50, "feat"],
    [word, false, 50, "feat-areallylongpullrequestnametotestargoslugifica"],
  ];
  for (const [name, smart, length, expected] of cases) {
    it(`${length} ${smart} ${name}`, () => assert.equal(go(`{{ slugify ${length} ${smart} .name }}`, { name }), expected));
  }
  it("defaults to 50 characters with smart truncation", () => assert.equal(go("{{ slugify .name }}", { name: "Hello.World" }), "hello-world"));
});

describe("lexer corner cases", () => {
  it("comments must follow the delimiter", () => {
    assert.equal(go("a{{/* x */}}b {{- /* y */ -}} c", {}), "abc");
    assert.throws(() => go("{{ /* x */ }}", {}), /unexpected "\/" in command$/);
  });
  it("{{-3}} is a number, {{- 3}} trims", () => {
    assert.equal(go("a {{-3}}", {}), "a -3");
    assert.equal(go("a {{- 3 -}} b", {}), "a3b");
  });
  it("strings and raw strings may contain delimiters", () => {
    assert.equal(go('{{ "}}" }}{{ `{{x}}` }}', {}), "}}{{x}}");
  });
});

describe("YAML in the go-yaml v2 flavour Argo uses", () => {
  it("toYaml quotes YAML 1.1 booleans and timestamps, sorts keys, does not indent sequences", () => {
    const data = { v: { z: ["on", "2001-12-14"], a: "yes", n: 1.5, m: "line1\nline2" } };
    assert.equal(go("{{ toYaml .v }}", data), 'a: "yes"\nm: |-\n  line1\n  line2\n"n": 1.5\nz:\n- "on"\n- "2001-12-14"');
  });
  it("fromYaml reads YAML 1.1 booleans and keeps timestamps as strings", () => {
    assert.equal(go('{{ $m := fromYaml "a: yes\\nd: 2001-12-14" }}{{ $m.a }} {{ $m.d }}', {}), "true 2001-12-14");
  });
  it("fromYaml of an empty document is an empty map", () => {
    assert.equal(go('{{ fromYaml "" | len }}', {}), "0");
  });
});

describe("bounds", () => {
  it("a runaway template is stopped", () => {
    assert.throws(() => go("{{ range until 1000000 }}{{ range until 1000 }}xxxxxxxxxx{{ end }}{{ end }}", {}), /template output exceeds/);
    assert.throws(() => go("{{ until 100000000 }}", {}), /too many items/);
  });
});

describe("semverCompare (sprig / Masterminds constraints)", () => {
  const cases: [string, string, boolean][] = [
    [">=1.2.3", "1.2.4", true],
    [">=1.2.3", "1.2.2", false],
    ["^1.2.0", "1.9.9", true],
    ["^1.2.0", "2.0.0", false],
    ["~1.2.3", "1.2.9", true],
    ["~1.2.3", "1.3.0", false],
    [">= 1.25, < 1.30", "v1.27.4", true],
    ["1.2.x", "1.2.7", true],
    ["1.2 - 1.4", "1.4.5", true],
    ["<1.20 || >=1.28", "1.29.0", true],
    [">=1.2.3", "1.3.0-rc.1", false],
    [">=1.2.3-0", "1.3.0-rc.1", true],
  ];
  for (const [c, v, expected] of cases) it(`${c} ${v}`, () => assert.equal(go(`{{ semverCompare "${c}" "${v}" }}`, {}), String(expected)));
  it("an invalid version is an error", () =>
    assert.throws(() => go('{{ semverCompare ">1" "nope" }}', {}), /error calling semverCompare: Invalid Semantic Version/));
});
