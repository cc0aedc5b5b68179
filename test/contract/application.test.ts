// The Application the hub writes and the agent reads (application.yaml on a deploy branch), and the
// label rules' messages, each naming what is wrong as a user reads it (apimachinery's wording).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Application, labelKeyProblem, labelProblems, parseWith } from "../../contract/index.js";

/** Argo CD's guestbook example, as the generators write it for one cluster. */
const guestbook = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: {
    name: "guestbook",
    namespace: "argocd",
    labels: { env: "prod" },
    annotations: { a: "b" },
    finalizers: ["resources-finalizer.argocd.argoproj.io"],
  },
  spec: {
    project: "default",
    source: { repoURL: "https://github.com/argoproj/argocd-example-apps.git", targetRevision: "HEAD", path: "guestbook" },
    destination: { server: "https://kubernetes.default.svc", namespace: "guestbook" },
    syncPolicy: { automated: { prune: true, selfHeal: true, allowEmpty: false, enabled: true }, syncOptions: ["CreateNamespace=true"] },
    ignoreDifferences: [
      {
        group: "apps",
        kind: "Deployment",
        name: "guestbook-ui",
        namespace: "guestbook",
        jsonPointers: ["/spec/replicas"],
        jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "x")'],
        managedFieldsManagers: ["kube-controller-manager"],
      },
    ],
    info: [{ name: "owner", value: "team-a" }],
    revisionHistoryLimit: 10,
  },
};

type Spec = Record<string, unknown>;
const withSpec = (spec: Spec) => ({ ...guestbook, spec: { ...guestbook.spec, ...spec } });
/** The one message parseWith gives for the application, or undefined when it is accepted. */
const refusal = (value: unknown) => {
  const parsed = parseWith(Application, value, "application");
  return parsed.ok ? undefined : parsed.message;
};

describe("an Application", () => {
  test("Argo CD's guestbook, with every spec field Radial honours, reads back unchanged", () => {
    assert.deepEqual(Application.parse(guestbook), guestbook);
    const { spec } = guestbook;
    const minimal = {
      apiVersion: guestbook.apiVersion,
      kind: guestbook.kind,
      metadata: { name: "g" },
      spec: { source: spec.source, destination: spec.destination },
    };
    assert.deepEqual(Application.parse(minimal), minimal);
  });

  test("source and destination details Radial does not read stay open; a spec field it would not honour is refused", () => {
    const open = withSpec({ source: { ...guestbook.spec.source, helm: { valueFiles: ["v.yaml"] } }, syncPolicy: { retry: { limit: 2 } } });
    assert.deepEqual(Application.parse(open), open);
    assert.equal(refusal({ ...guestbook, metadata: { ...guestbook.metadata, uid: "1" } }), undefined, "metadata stays open");
    assert.match(refusal(withSpec({ syncWindows: [] })) ?? "", /^invalid application: spec: Unrecognized key: "syncWindows"$/);
    assert.match(refusal(withSpec({ info: [{ name: "a", value: "b", url: "c" }] })) ?? "", /^invalid application: spec\.info\[0\]: Unrecognized key/);
    assert.match(refusal(withSpec({ ignoreDifferences: [{ kind: "Deployment", jsonPath: "/x" }] })) ?? "", /spec\.ignoreDifferences\[0\]: Unrecognized key/);
  });

  test("exactly one of destination name or server, and one of source or sources", () => {
    const destination = (d: Spec) => refusal(withSpec({ destination: d }));
    assert.equal(destination({ name: "in-cluster" }), undefined);
    assert.equal(destination({ name: "in-cluster", server: "https://k" }), "invalid application: spec.destination: needs exactly one of name or server");
    assert.equal(destination({ namespace: "x" }), "invalid application: spec.destination: needs exactly one of name or server");
    assert.equal(destination({ name: "", server: "" }), "invalid application: spec.destination: needs exactly one of name or server");

    const sources = [guestbook.spec.source, { repoURL: "https://charts.example", chart: "web", targetRevision: "1.2.3", ref: "values" }];
    const { source: _, ...withoutSource } = guestbook.spec;
    assert.equal(refusal({ ...guestbook, spec: { ...withoutSource, sources } }), undefined);
    assert.equal(refusal(withSpec({ sources })), "invalid application: spec: needs exactly one of source or sources");
    assert.equal(refusal({ ...guestbook, spec: withoutSource }), "invalid application: spec: needs exactly one of source or sources");
    assert.match(refusal({ ...guestbook, spec: { ...withoutSource, sources: [] } }) ?? "", /^invalid application: spec\.sources: Too small/);
    assert.match(refusal(withSpec({ source: { repoURL: "" } })) ?? "", /^invalid application: spec\.source\.repoURL: Too small/);
  });

  test("it is an argoproj.io/v1alpha1 Application with a DNS-1123 name", () => {
    assert.match(refusal({ ...guestbook, apiVersion: "argoproj.io/v1beta1" }) ?? "", /^invalid application: apiVersion: /);
    assert.match(refusal({ ...guestbook, kind: "ApplicationSet" }) ?? "", /^invalid application: kind: /);
    assert.match(refusal({ ...guestbook, metadata: { name: "Guestbook" } }) ?? "", /^invalid application: metadata\.name: must be a DNS-1123 subdomain/);
    assert.match(refusal(withSpec({ revisionHistoryLimit: 1.5 })) ?? "", /^invalid application: spec\.revisionHistoryLimit: /);
  });
});

describe("label problems, in apimachinery's words", () => {
  test("each part of a key at fault is named", () => {
    assert.equal(labelKeyProblem("/x"), `label key "/x": the prefix before '/' must not be empty`);
    assert.equal(
      labelKeyProblem("Example.com/x"),
      `label key "Example.com/x": the prefix "Example.com" must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`,
    );
    for (const prefix of ["a..b", "a.-b", "a-.b", ".a", "a."]) assert.match(labelKeyProblem(`${prefix}/x`) ?? "", /must be a DNS-1123 subdomain/, prefix);
    for (const prefix of ["a.b-c", "0.a9", "a-b.c-d.e"]) assert.equal(labelKeyProblem(`${prefix}/x`), undefined, prefix);
    assert.equal(labelKeyProblem("example.com/"), `label key "example.com/": the name part must not be empty`);
    assert.equal(labelKeyProblem(""), `label key "": the name part must not be empty`);
    const badName = `label key "example.com/-x": the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`;
    assert.equal(labelKeyProblem("example.com/-x"), badName);
    for (const name of ["x-", "_x", "x y", "é"]) assert.match(labelKeyProblem(name) ?? "", /the name part must consist of/, name);
    assert.match(labelKeyProblem("a/b/c") ?? "", /the prefix "a\/b" must be a DNS-1123 subdomain/, "the last '/' splits");
  });

  test("labelProblems lists every key's and every value's problem, in order, and nothing for valid labels", () => {
    assert.deepEqual(labelProblems({ env: "prod", "app.kubernetes.io/name": "", "a_b.c-d": "X_y.z-1" }), []);
    assert.deepEqual(labelProblems({ "-bad": "ok", good: "-bad", "/both": "_" }), [
      `label key "-bad": the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
      `label "good": value "-bad" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
      `label key "/both": the prefix before '/' must not be empty`,
      `label "/both": value "_" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
    ]);
  });
});
