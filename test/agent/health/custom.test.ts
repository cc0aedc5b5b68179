// Argo CD's own health cases for the custom resources it assesses with resource_customizations
// scripts, run as one table: each folder under fixtures/<group>/<Kind> is a copy of Argo CD's
// resource_customizations/<group>/<Kind> health_test.yaml and the testdata it names (fixtures/README.md
// gives the commit). The number of cases per kind is pinned, so a folder left empty fails.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { CUSTOM_CHECKS } from "../../../agent/health/custom/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

const CASES_PER_KIND: Record<string, number> = {
  "cert-manager.io/Certificate": 6,
  "cert-manager.io/Issuer": 3,
  "cert-manager.io/ClusterIssuer": 3,
  "argoproj.io/Rollout": 24,
  "argoproj.io/AnalysisRun": 11,
  "argoproj.io/Experiment": 6,
  "external-secrets.io/ExternalSecret": 3,
  "external-secrets.io/SecretStore": 2,
  "bitnami.com/SealedSecret": 3,
  "keda.sh/ScaledObject": 6,
  "keda.sh/ScaledJob": 5,
  "helm.toolkit.fluxcd.io/HelmRelease": 3,
  "kustomize.toolkit.fluxcd.io/Kustomization": 3,
  "source.toolkit.fluxcd.io/GitRepository": 2,
  "gateway.networking.k8s.io/Gateway": 5,
  "gateway.networking.k8s.io/HTTPRoute": 5,
  "gateway.networking.k8s.io/GRPCRoute": 6,
  "postgresql.cnpg.io/Cluster": 5,
  "monitoring.coreos.com/Prometheus": 3,
  "batch/CronJob": 6,
  "policy/PodDisruptionBudget": 3,
  "apiextensions.k8s.io/CustomResourceDefinition": 8,
};

interface Case {
  inputPath: string;
  healthStatus: { status: string; message?: string };
}

const folder = (key: string) => new URL(`./fixtures/${key}/`, import.meta.url);
// Read as Argo CD's Go YAML reader does: a repeated key keeps the last value.
const read = (url: URL) => parse(readFileSync(url, "utf8"), { uniqueKeys: false }) as unknown;

test("every kind with a check has Argo CD's cases, and every kind with cases a check", () => {
  assert.deepEqual([...CUSTOM_CHECKS.keys()].sort(), Object.keys(CASES_PER_KIND).sort());
});

for (const [key, count] of Object.entries(CASES_PER_KIND)) {
  describe(key, () => {
    const testFile = new URL("health_test.yaml", folder(key));
    const cases = existsSync(testFile) ? ((read(testFile) as { tests?: Case[] }).tests ?? []) : [];
    test(`has Argo CD's ${count} cases`, () => assert.equal(cases.length, count));
    for (const { inputPath, healthStatus } of cases) {
      test(`${inputPath}: ${healthStatus.status}`, () => {
        const object = read(new URL(inputPath, folder(key))) as KubeObject;
        const check = CUSTOM_CHECKS.get(key)!;
        // Argo CD's test runs the script alone; an absent message is its empty string.
        const health = check(object);
        assert.deepEqual({ status: health.status, message: health.message ?? "" }, { status: healthStatus.status, message: healthStatus.message ?? "" });
      });
    }
  });
}
