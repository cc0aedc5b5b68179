/**
 * The cluster's capabilities for the hub's helm (`--kube-version`, `--api-versions`), discovered at
 * start, every REFRESH_MS and soon after the agent created or removed CRDs, and sent only while the
 * hub's reply names another digest: a heartbeat carries them once per change, not every time. A hub
 * whose replies lack `capabilitiesDigest` predates them and is never sent any (it would refuse the report).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { ClusterCapabilities } from "../../contract/status-report.js";
import { capabilitiesDigest } from "../../core/capabilities.js";
import { describeError } from "../../core/error-cause.js";

const REFRESH_MS = 10 * 60_000;

export interface CapabilitiesOptions {
  discover: () => Promise<{ capabilities: ClusterCapabilities; dropped: number }>;
  logger: Logger;
  /** The capabilities to send changed: report soon. */
  onChange: () => void;
  refreshMs?: number;
}

export class CapabilitiesTracker {
  private current: { capabilities: ClusterCapabilities; digest: string } | undefined;
  /** What the hub's last reply named: undefined before a reply, or from a hub that does not know capabilities. */
  private hubDigest: string | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: CapabilitiesOptions) {}

  start(): void {
    this.refresh();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.running ?? Promise.resolve();
  }

  /** What to put in the next report: the capabilities while the hub holds others (or none). */
  toSend(): ClusterCapabilities | undefined {
    if (this.hubDigest === undefined || this.current === undefined) return undefined;
    return this.current.digest === this.hubDigest ? undefined : this.current.capabilities;
  }

  /** The hub's reply named the digest it holds. */
  heard(digest: string | null | undefined): void {
    this.hubDigest = digest;
    if (this.toSend()) this.options.onChange();
  }

  /** Discovers again now (or right after the discovery in flight), e.g. after CRDs changed. */
  refresh(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.discover().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      } else if (!this.stopped) {
        this.timer = setTimeout(() => this.refresh(), this.options.refreshMs ?? REFRESH_MS);
        this.timer.unref();
      }
    });
  }

  private async discover(): Promise<void> {
    try {
      const { capabilities, dropped } = await this.options.discover();
      const valid = ClusterCapabilities.safeParse(capabilities);
      if (!valid.success) {
        this.options.logger.warn("the cluster's version or API versions cannot be sent to the hub; charts render with helm's defaults", {
          problem: valid.error.issues[0]?.message,
          field: valid.error.issues[0]?.path.join("."),
        });
        return;
      }
      if (dropped > 0) this.options.logger.warn("the cluster serves more API versions than a report holds; the last kinds are left out", { dropped });
      const digest = capabilitiesDigest(valid.data);
      if (digest === this.current?.digest) return;
      this.current = { capabilities: valid.data, digest };
      if (this.toSend()) this.options.onChange();
    } catch (error) {
      this.options.logger.warn("could not discover the cluster's version and API versions; trying again later", { error: describeError(error) });
    }
  }
}
