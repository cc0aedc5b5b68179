import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The agent's Prometheus metrics, served at /metrics. */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: "radial_agent_reconcile_duration_seconds",
    help: "One reconcile pass: learn the revision, fetch when it moved, read, hand each application to its sync",
    labelNames: ["result"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly syncDuration = new Histogram({
    name: "radial_agent_sync_duration_seconds",
    help: "One application's sync (or deletion), waits for its waves' health included, by result",
    labelNames: ["result"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly applies = new Counter({
    name: "radial_agent_applies_total",
    help: "Objects applied with server-side apply",
    registers: [this.registry],
  });
  readonly prunes = new Counter({
    name: "radial_agent_prunes_total",
    help: "Owned objects deleted because they left Git or their application was deleted",
    registers: [this.registry],
  });
  readonly driftEvents = new Counter({
    name: "radial_agent_drift_events_total",
    help: "Drift events by action (Detected, Healed, Deleted, Recreated)",
    labelNames: ["action"] as const,
    registers: [this.registry],
  });
  readonly lastSuccessfulSync = new Gauge({
    name: "radial_agent_last_successful_sync_timestamp_seconds",
    help: "When every application last synced without error (Unix time)",
    registers: [this.registry],
  });
  readonly fetches = new Counter({
    name: "radial_agent_git_fetches_total",
    help: "Fetches of the deploy branch by result",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: "radial_agent_reports_total",
    help: "Status reports posted to the hub by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly hubWaits = new Counter({
    name: "radial_agent_hub_waits_total",
    help: "Waits on the hub for a new head by outcome: head (it named a new one), unchanged, or polling (the hub does not wait, or failed)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly kubeRequests = new Counter({
    name: "radial_agent_kube_requests_total",
    help: "Requests sent to the Kubernetes API (retries included) by method and status code (0: no response)",
    labelNames: ["method", "code"] as const,
    registers: [this.registry],
  });

  /** `gitBytes`: the Git client's running total, read at scrape time. */
  constructor(gitBytes: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: "radial_agent_" });
    new Counter({
      name: "radial_agent_git_received_bytes_total",
      help: "Bytes received from the Git server (ref lookups and fetches)",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(gitBytes());
      },
    });
  }
}
