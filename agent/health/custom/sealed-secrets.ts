// Bitnami Sealed Secrets (bitnami.com): a SealedSecret by its Synced condition, as Argo CD's
// resource_customizations/bitnami.com/SealedSecret/health.lua.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { readyCondition } from "./cert-manager.js";

export const sealedSecretHealth = (secret: KubeObject): ResourceHealth => readyCondition(secret, "Waiting for Sealed Secret to be decrypted", "Synced");
