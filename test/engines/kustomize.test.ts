import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { installKustomize } from "./kustomize.js";

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: staging-
commonLabels:
  radial.dev/env: staging
resources:
- configmap.yaml
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
`;

test("kustomize build applies namePrefix and commonLabels", { timeout: 15 * 60_000 }, async () => {
  const kustomize = await installKustomize();
  const dir = await mkdtemp(join(tmpdir(), "radial-kustomize-"));
  try {
    await writeFile(join(dir, "kustomization.yaml"), KUSTOMIZATION);
    await writeFile(join(dir, "configmap.yaml"), CONFIGMAP);
    const { stdout } = await promisify(execFile)(kustomize, ["build", dir]);
    const docs = parseAllDocuments(stdout).map((doc) => doc.toJS() as unknown);
    assert.deepEqual(docs, [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "staging-settings", labels: { "radial.dev/env": "staging" } },
        data: { greeting: "hello" },
      },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
