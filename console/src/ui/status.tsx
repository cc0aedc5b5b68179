import type { HealthStatus, SyncStatus } from "../../../contract/status-report.js";
import type { ClusterState } from "../../../contract/fleet.js";

// Status badges: a colour and always a word (and a symbol), so nothing is said by colour alone.

const HEALTH_SYMBOL: Record<HealthStatus, string> = {
  Healthy: "♥",
  Progressing: "◔",
  Degraded: "✖",
  Suspended: "‖",
  Missing: "?",
  Unknown: "?",
};

const SYNC_SYMBOL: Record<SyncStatus, string> = { Synced: "✓", OutOfSync: "≠", Unknown: "?" };

const STATE_LABEL: Record<ClusterState, string> = { Reporting: "Reporting", Stale: "Stale", NeverReported: "Never reported" };

export function HealthBadge({ health }: { health: HealthStatus }) {
  return (
    <span class={`badge health-${health}`}>
      <span aria-hidden="true">{HEALTH_SYMBOL[health]}</span> {health}
    </span>
  );
}

export function SyncBadge({ sync }: { sync: SyncStatus }) {
  return (
    <span class={`badge sync-${sync}`}>
      <span aria-hidden="true">{SYNC_SYMBOL[sync]}</span> {sync}
    </span>
  );
}

export function StateBadge({ state }: { state: ClusterState }) {
  return <span class={`badge state-${state}`}>{STATE_LABEL[state]}</span>;
}

export { HEALTH_SYMBOL, SYNC_SYMBOL };
