// `radial render` over ApplicationSet files shaped as platform teams write them (test/cli/argo-fleet:
// an add-on catalog with syncPolicy, a per-generator template, a create-only bootstrap set) against
// cluster names as Argo CD keeps them (an EKS ARN, `team_a/west`), which registration would refuse.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Application } from "../../contract/index.js";
import { radial } from "./radial-cli.js";

const fleet = join(import.meta.dirname, "argo-fleet");
const ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu";

test("render accepts Argo CD cluster names and the fields add-on catalogs set, and renders what Argo CD generates", async () => {
  const result = await radial(["render", "--clusters", join(fleet, "clusters.yaml"), "--generators", join(fleet, "generators"), "-o", "json"]);
  assert.equal(result.status, 0, result.stderr);
  const applications = (JSON.parse(result.stdout) as unknown[]).map((a) => Application.parse(a));
  const byName = new Map(applications.map((a) => [a.metadata.name, a]));
  assert.deepEqual(
    [...byName.keys()],
    [
      "addon-arn-aws-eks-eu-west-1-111122223333-cluster-prod-eu-metrics-server",
      "addon-team-a-west-metrics-server",
      "arn-aws-eks-eu-west-1-111122223333-cluster-prod-eu-external-dns",
      "bootstrap-arn-aws-eks-eu-west-1-111122223333-cluster-prod-eu",
      "bootstrap-team-a-west",
    ],
  );
  // `name` is the cluster's name as written; every Application lives in its set's namespace (default argocd).
  const metrics = byName.get("addon-team-a-west-metrics-server")!;
  assert.equal(metrics.spec.destination.name, "team_a/west");
  assert.equal(metrics.metadata.namespace, "argocd");
  assert.equal(metrics.spec.sources![1]!.targetRevision, "3.12.2");
  // preserveResourcesOnDeletion: true adds no resources finalizer; false (the default) and no syncPolicy do.
  assert.equal(metrics.metadata.finalizers, undefined);
  const externalDns = byName.get("arn-aws-eks-eu-west-1-111122223333-cluster-prod-eu-external-dns")!;
  assert.deepEqual(externalDns.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
  assert.deepEqual(byName.get("bootstrap-team-a-west")!.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
  // The cluster generator's own template merged over spec.template.
  assert.deepEqual(externalDns.metadata.labels, { addon: "external-dns" });
  assert.deepEqual(externalDns.spec.source, {
    repoURL: "https://kubernetes-sigs.github.io/external-dns",
    chart: "external-dns",
    targetRevision: "1.14.5",
    helm: { values: "txtOwnerId: prod-eu\n" },
  });
  assert.equal(externalDns.spec.destination.name, ARN);
});

test("render refuses a cluster with an empty name, naming the entry", async () => {
  const empty = await radial(["render", "--clusters", join(fleet, "empty-name.yaml"), "--generators", join(fleet, "generators")]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /\[0\]\.name: must not be empty/);
});
