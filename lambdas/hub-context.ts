import type { FleetService } from "./fleet/fleet-service.js";
import type { GenerationService } from "./generate/service.js";
import type { SourcePoller } from "./generate/source-poll.js";
import type { DeployHeads } from "./status/deploy-heads.js";
import type { HubMetrics } from "./http/metrics.js";
import type { ClusterRegistry } from "./inventory/cluster-registry.js";
import type { InventoryHealth } from "./ports.js";
import type { RebuildService } from "./rebuild/rebuild-service.js";
import type { StatusService } from "./status/status-service.js";

/** The hub's services as its routes and workers use them; composition.ts builds it from configuration. */
export interface HubContext {
  version: string;
  registry: ClusterRegistry;
  /** Whether the inventory answers (`/healthz`). */
  inventory: InventoryHealth;
  /** Agents' status reports and what operators read of them. */
  status: StatusService;
  /** SHA-256 of the operators' admin token. */
  adminTokenHash: string;
  metrics: HubMetrics;
  /** Null when the hub has no fleet repo (RADIAL_REPO_URL unset). */
  generation: GenerationService | null;
  /** The check of whether a head the last run read moved (null without generation); see generate/source-poll.ts. */
  sourcePoll: SourcePoller | null;
  /** The deploy-branch heads as the hub knows them: what reports and waiting agents are answered with. */
  deployHeads: DeployHeads;
  /** The shared secret of `POST /v1/webhooks/git`; unset refuses every webhook. */
  webhookSecret?: string | undefined;
  /** Rebuilding lost clusters (`/v1/clusters/{name}/rebuild`). */
  rebuild: RebuildService;
  /** The fleet-wide read models of the console (`/v1/fleet`, `/v1/applications`, `/v1/events`). */
  fleet: FleetService;
  /** Whether a successful inventory change starts a background run. */
  generateOnChange: boolean;
}
