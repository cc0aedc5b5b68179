import { createHash } from "node:crypto";
import type { ClusterCapabilities } from "../contract/status-report.js";

/**
 * 128 bits of SHA-256 over a cluster's capabilities, the API versions sorted: the agent and the hub
 * compare it to tell whether the hub holds the agent's current capabilities.
 */
export function capabilitiesDigest(capabilities: ClusterCapabilities): string {
  const apiVersions = [...new Set(capabilities.apiVersions)].sort();
  return createHash("sha256")
    .update(JSON.stringify([capabilities.kubeVersion, apiVersions]))
    .digest("base64url")
    .slice(0, 22);
}
