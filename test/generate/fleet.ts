// A fleet for GenerationService tests: a real git server with a fleet repo whose app is a
// kustomization, the real kustomize behind a wrapper that can be held up, and the real inventory.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AwsEksLookup } from "../../lambdas/adapters/eks/eks-lookup.js";
import { GenerationService } from "../../lambdas/generate/service.js";
import { PipelineRunner } from "../../lambdas/generate/runner.js";
import { InProcessQueue } from "../../lambdas/adapters/queue/in-process.js";
import { DynamoDBGenerationRuns } from "../../lambdas/adapters/dynamodb/generation-runs.js";
import { DynamoDBGenerationHistory } from "../../lambdas/adapters/dynamodb/generation-history.js";
import { DynamoDBGenerationLease } from "../../lambdas/adapters/dynamodb/generation-lease.js";
import { KustomizeBinary } from "../../lambdas/adapters/kustomize/binary.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { ClusterRegistry } from "../../lambdas/inventory/cluster-registry.js";
import { DynamoDBInventoryStore } from "../../lambdas/adapters/dynamodb/inventory-store.js";
import { startGitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import type { Engine } from "./engines.js";

const seed = (url: string): Record<string, string> => ({
  "generators/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source:
        repoURL: ${url}
        targetRevision: HEAD
        path: apps/web
      destination:
        name: '{{name}}'
        namespace: web
`,
  "apps/web/kustomization.yaml": "resources:\n  - configmap.yaml\n",
  "apps/web/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: blue\n",
});

export interface Fleet {
  url: string;
  table: string;
  registry: ClusterRegistry;
  lease: DynamoDBGenerationLease;
  history: DynamoDBGenerationHistory;
  /** A service as one hub process would build it (its own git store), on the shared table. */
  service(options?: { leaseTtlSeconds?: number; errors?: unknown[] }): GenerationService;
  register(name: string): Promise<void>;
  /** From now on every kustomize build waits `seconds` first. */
  holdKustomize(seconds: number): Promise<void>;
  /** Resolves once a kustomize build has started since the last holdKustomize. */
  kustomizeStarted(): Promise<void>;
  deployBranches(): Promise<string[]>;
}

export async function startFleet(t: TestContext, db: Engine): Promise<Fleet> {
  const scratch = await mkdtemp(join(tmpdir(), "radial-generation-fleet-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: seed(url) });

  const delayFile = join(scratch, "delay");
  const startedFile = join(scratch, "started");
  await writeFile(delayFile, "0\n");
  const wrapper = join(scratch, "kustomize");
  await writeFile(wrapper, `#!/bin/sh\ntouch '${startedFile}'\nsleep "$(cat '${delayFile}')"\nexec '${await installKustomize()}' "$@"\n`);
  await chmod(wrapper, 0o755);

  const table = await db.table();
  const clock = () => new Date();
  const registry = new ClusterRegistry({
    store: new DynamoDBInventoryStore(db.client, table),
    eks: new AwsEksLookup({ clock }),
    clock,
    settings: { hubUrl: "http://hub.invalid", repoUrl: url, agentImage: "radial/agent:test", tokenGraceSeconds: 0 },
  });
  const lease = new DynamoDBGenerationLease(db.client, table);
  const history = new DynamoDBGenerationHistory(db.client, table, clock);
  let services = 0;
  const reader = new GitRepository({ url, dir: join(scratch, "reader") });
  return {
    url,
    table,
    registry,
    lease,
    history,
    service({ leaseTtlSeconds, errors } = {}) {
      const repo = new GitRepository({ url, dir: join(scratch, `hub-${++services}`) });
      return new GenerationService({
        lease,
        history,
        registry,
        clock,
        ...(leaseTtlSeconds ? { leaseTtlSeconds } : {}),
        fleet: { url, sourceBranch: "main" },
        runner: new PipelineRunner({
          run: {
            fleet: repo,
            deploy: repo,
            sourceBranch: "main",
            kustomize: KustomizeBinary(wrapper),
            clock,
            author: { name: "t", email: "t@radial.invalid" },
          },
        }),
        runs: new DynamoDBGenerationRuns(db.client, table),
        queue: (worker) => new InProcessQueue(worker, (error) => errors?.push(error)),
      });
    },
    async register(name) {
      await registry.register({ name, labels: {} });
    },
    async holdKustomize(seconds) {
      await rm(startedFile, { force: true });
      await writeFile(delayFile, `${seconds}\n`);
    },
    async kustomizeStarted() {
      while (!existsSync(startedFile)) await sleep(50);
    },
    async deployBranches() {
      return [...(await reader.remoteBranches("radial/clusters/")).keys()].sort();
    },
  };
}
