import { join } from "node:path";
import { GitSourceRepositories } from "./adapters/git/source-repositories.js";
import { HelmBinary } from "./adapters/helm/binary.js";
import { parseHelmRepositories } from "./adapters/helm/repositories.js";
import { KustomizeBinary } from "./adapters/kustomize/binary.js";
import { gitCredentials, setting, workDirOf, type GenerationRunnerFactory } from "./composition.js";
import { PipelineRunner } from "./generate/runner.js";

/**
 * The composition root's generation part, which processes that run generation pass to `createHub`
 * (the embedded hub, the worker function): the pipeline with RADIAL_KUSTOMIZE (default `kustomize`
 * on PATH, or `config.kustomize`), RADIAL_HELM (likewise), RADIAL_HELM_REPOSITORIES (JSON, chart
 * repository URL prefix, `oci://` for a registry → {username, password, plainHttp}; the longest
 * prefix wins), and source repositories read with the hub's Git credentials. Kept apart so the API
 * function, which only queues runs, bundles none of it.
 */
export const generationRunner: GenerationRunnerFactory = (config, { repo, clock, onWritten, capabilities }) => {
  const env = config.env;
  const workDir = workDirOf(config);
  return new PipelineRunner({
    sources: new GitSourceRepositories({ dir: join(workDir, "git-sources"), credentials: gitCredentials(env) }),
    run: {
      fleet: repo,
      deploy: repo,
      sourceBranch: setting(env, "RADIAL_SOURCE_BRANCH", "main"),
      kustomize: KustomizeBinary(setting(env, "RADIAL_KUSTOMIZE", "") || (config.kustomize ?? "kustomize")),
      helm: HelmBinary(setting(env, "RADIAL_HELM", "") || (config.helm ?? "helm"), {
        repositories: parseHelmRepositories(env.RADIAL_HELM_REPOSITORIES),
        chartCache: join(workDir, "helm-charts"),
      }),
      clock,
      author: { name: "Radial Hub", email: "hub@radial.invalid" },
      onWritten,
      capabilities,
    },
  });
};
