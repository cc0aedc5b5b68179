// `npm run engines` (and `npm test` before the suite): installs every engine the tests use,
// building or downloading only what the cache under ~/.cache/radial lacks, with progress and times.
import { installCfnLint } from "./cfn-lint.js";
import { installChromium } from "./chromium.js";
import { installCrane } from "./crane.js";
import { installDynamoDBLocal } from "./dynamodb-local.js";
import { installKubernetes } from "./kubernetes.js";
import { installGoTemplate } from "./go-template.js";
import { installKustomize } from "./kustomize.js";
import { installLambdaRic, installLambdaRie } from "./lambda-rie.js";
import { installHelm } from "./helm.js";
import { installRegistry } from "./registry.js";
import { installToolsLayer } from "./tools-layer.js";
import { installMoto } from "./moto.js";
import { installNodeRuntime } from "./node.js";

async function timed(name: string, install: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  console.error(`engines: ${name}: checking`);
  await install();
  console.error(`engines: ${name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const started = Date.now();
try {
  // The Go builds take both cores; the downloads (Maven, PyPI, Debian) mostly wait on the network,
  // so they run alongside.
  await Promise.all([
    (async () => {
      await timed("kubernetes (etcd, kube-apiserver, controller-manager, scheduler, kubectl, kwok)", installKubernetes);
      await timed("kustomize", installKustomize);
      await timed("go-template (Go's text/template with sprig, as Argo CD runs it)", installGoTemplate);
      await timed("lambda runtime interface emulator", installLambdaRie);
      await timed("Lambda tools layer (kustomize and helm for linux/arm64)", installToolsLayer);
    })(),
    // Helm's and the OCI registry's cold builds mostly wait on module downloads: a lane of their own.
    (async () => {
      await timed("helm", installHelm);
      await timed("registry (CNCF Distribution)", installRegistry);
      await timed("crane (assembles the agent image)", installCrane);
    })(),
    (async () => {
      await timed("node", installNodeRuntime);
      await timed("lambda runtime interface client (aws-lambda-ric, native build)", installLambdaRic);
      await timed("dynamodb-local", installDynamoDBLocal);
      await timed("moto", installMoto);
      await timed("cfn-lint", installCfnLint);
      await timed("chromium", installChromium);
    })(),
  ]);
} catch (error) {
  console.error(`engines: install failed: ${(error as Error).message}`);
  process.exit(1);
}
console.error(`engines: all ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${process.env.RADIAL_CACHE_DIR ?? "~/.cache/radial"})`);
