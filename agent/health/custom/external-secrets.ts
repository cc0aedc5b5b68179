// External Secrets Operator (external-secrets.io): ExternalSecret and SecretStore by their Ready
// condition, as Argo CD's resource_customizations/external-secrets.io/<Kind>/health.lua.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { readyCondition } from "./cert-manager.js";

export const externalSecretHealth = (secret: KubeObject): ResourceHealth => readyCondition(secret, "Waiting for ExternalSecret");
export const secretStoreHealth = (store: KubeObject): ResourceHealth => readyCondition(store, "Waiting for SecretStore");
