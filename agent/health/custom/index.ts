// Health for the custom resources fleets run (and Kubernetes kinds gitops-engine leaves to Argo CD's
// resource_customizations), one lookup by group/kind. Each check gives Argo CD's outcome for that kind;
// test/agent/health/fixtures holds Argo CD's cases for each.
import { groupOf, type KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { analysisRunHealth, experimentHealth, rolloutHealth } from "./argo-rollouts.js";
import { certificateHealth, clusterIssuerHealth, issuerHealth } from "./cert-manager.js";
import { cnpgClusterHealth } from "./cloudnative-pg.js";
import { externalSecretHealth, secretStoreHealth } from "./external-secrets.js";
import { gitRepositoryHealth, helmReleaseHealth, kustomizationHealth } from "./flux.js";
import { gatewayHealth, grpcRouteHealth, httpRouteHealth } from "./gateway-api.js";
import { scaledJobHealth, scaledObjectHealth } from "./keda.js";
import { cronJobHealth, customResourceDefinitionHealth, podDisruptionBudgetHealth } from "./kubernetes.js";
import { prometheusHealth } from "./prometheus-operator.js";
import { sealedSecretHealth } from "./sealed-secrets.js";

export type CustomCheck = (object: KubeObject) => ResourceHealth;

/** The checks by `<group>/<Kind>`, the same key as Argo CD's resource_customizations folders. */
export const CUSTOM_CHECKS: ReadonlyMap<string, CustomCheck> = new Map<string, CustomCheck>([
  ["cert-manager.io/Certificate", certificateHealth],
  ["cert-manager.io/Issuer", issuerHealth],
  ["cert-manager.io/ClusterIssuer", clusterIssuerHealth],
  ["argoproj.io/Rollout", rolloutHealth],
  ["argoproj.io/AnalysisRun", analysisRunHealth],
  ["argoproj.io/Experiment", experimentHealth],
  ["external-secrets.io/ExternalSecret", externalSecretHealth],
  ["external-secrets.io/SecretStore", secretStoreHealth],
  ["bitnami.com/SealedSecret", sealedSecretHealth],
  ["keda.sh/ScaledObject", scaledObjectHealth],
  ["keda.sh/ScaledJob", scaledJobHealth],
  ["helm.toolkit.fluxcd.io/HelmRelease", helmReleaseHealth],
  ["kustomize.toolkit.fluxcd.io/Kustomization", kustomizationHealth],
  ["source.toolkit.fluxcd.io/GitRepository", gitRepositoryHealth],
  ["gateway.networking.k8s.io/Gateway", gatewayHealth],
  ["gateway.networking.k8s.io/HTTPRoute", httpRouteHealth],
  ["gateway.networking.k8s.io/GRPCRoute", grpcRouteHealth],
  ["postgresql.cnpg.io/Cluster", cnpgClusterHealth],
  ["monitoring.coreos.com/Prometheus", prometheusHealth],
  ["batch/CronJob", cronJobHealth],
  ["policy/PodDisruptionBudget", podDisruptionBudgetHealth],
  ["apiextensions.k8s.io/CustomResourceDefinition", customResourceDefinitionHealth],
]);

/** The check for an object's group and kind, if there is one. */
export const customCheckFor = (object: KubeObject): CustomCheck | undefined => CUSTOM_CHECKS.get(`${groupOf(object.apiVersion)}/${object.kind}`);
