import { ClusterStatus, type StoredApplicationStatus, type SyncRecord } from "../../../contract/cluster-status.js";
import { Cluster, type EksClusterInfo } from "../../../contract/clusters.js";
import type { HealthStatus, SyncStatus } from "../../../contract/status-report.js";
import type { ComponentChildren } from "preact";
import { getJson } from "../api/client.js";
import { useLive } from "../api/live.js";
import { href } from "../routes.js";
import { DriftTable } from "../ui/drift.js";
import { Loaded, Page, Section } from "../ui/page.js";
import { HealthBadge, SyncBadge } from "../ui/status.js";
import { Ago, duration, Revision } from "../ui/time.js";

interface ClusterPage {
  cluster: Cluster;
  status: ClusterStatus;
}

function loader(name: string) {
  const path = `/v1/clusters/${encodeURIComponent(name)}`;
  return async (): Promise<ClusterPage> => {
    const [cluster, status] = await Promise.all([getJson(path, Cluster), getJson(`${path}/status?events=50`, ClusterStatus)]);
    return { cluster, status };
  };
}

function Details({ entries }: { entries: [string, ComponentChildren][] }) {
  return (
    <dl class="details">
      {entries.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Eks({ eks }: { eks: EksClusterInfo | null }) {
  if (!eks) return <p class="muted">Not an EKS cluster (registered without an ARN).</p>;
  return (
    <Details
      entries={[
        ["ARN", <code>{eks.arn}</code>],
        ["Region", eks.region],
        ["Kubernetes", eks.version ?? "unknown"],
        ["Platform", eks.platformVersion ?? "unknown"],
        ["Status", eks.status ?? "unknown"],
        ["Endpoint", eks.endpoint ?? "unknown"],
        ["Described", <Ago at={eks.describedAt} />],
      ]}
    />
  );
}

/** A stale cluster's applications are Unknown, whatever they last said: the console never shows an offline cluster healthy. */
function honest(application: StoredApplicationStatus, stale: boolean): { sync: SyncStatus; health: HealthStatus } {
  return stale ? { sync: "Unknown", health: "Unknown" } : { sync: application.sync, health: application.health };
}

function Applications({ name, status }: { name: string; status: ClusterStatus }) {
  if (status.applications.length === 0) return <p class="muted">{status.reported ? "No applications reported." : "The agent has not reported yet."}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Application</th>
          <th scope="col">Health</th>
          <th scope="col">Sync</th>
          <th scope="col">Revision</th>
          <th scope="col">Resources</th>
          <th scope="col">Last sync</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {status.applications.map((application) => {
          const shown = honest(application, status.stale);
          return (
            <tr key={application.name}>
              <td>
                <a href={href({ view: "application", cluster: name, application: application.name })}>{application.name}</a>
              </td>
              <td>
                <HealthBadge health={shown.health} />
                {status.stale && <span class="muted"> last reported {application.health}</span>}
              </td>
              <td>
                <SyncBadge sync={shown.sync} />
                {status.stale && <span class="muted"> last reported {application.sync}</span>}
              </td>
              <td>
                <Revision revision={application.revision} />
              </td>
              <td>{application.resourceCount}</td>
              <td>
                <Ago at={application.lastSyncedAt} />
              </td>
              <td class="message">{application.message}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Syncs shown on the page, newest first, from the applications' kept histories. */
const SYNCS_SHOWN = 30;

/** The cluster's recent syncs across its applications, newest first (an item stored before histories were kept gives its last sync). */
function recentSyncs(status: ClusterStatus): (SyncRecord & { application: string })[] {
  const syncs = status.applications.flatMap((app) => {
    const history = app.syncs ?? (app.lastSyncedAt ? [{ at: app.lastSyncedAt, revision: app.revision, sync: app.sync, health: app.health }] : []);
    return history.map((record) => ({ ...record, application: app.name }));
  });
  return syncs.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, SYNCS_SHOWN);
}

function Syncs({ name, status }: { name: string; status: ClusterStatus }) {
  const syncs = recentSyncs(status);
  if (syncs.length === 0) return <p class="muted">No syncs reported.</p>;
  return (
    <table aria-label="Recent syncs">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Application</th>
          <th scope="col">Revision</th>
          <th scope="col">Reported sync</th>
          <th scope="col">Reported health</th>
        </tr>
      </thead>
      <tbody>
        {syncs.map((sync) => (
          <tr key={`${sync.application}@${sync.at}`}>
            <td>
              <Ago at={sync.at} />
            </td>
            <td>
              <a href={href({ view: "application", cluster: name, application: sync.application })}>{sync.application}</a>
            </td>
            <td>
              <Revision revision={sync.revision} />
            </td>
            <td>
              <SyncBadge sync={sync.sync} />
            </td>
            <td>
              <HealthBadge health={sync.health} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Conditions({ status }: { status: ClusterStatus }) {
  if (status.conditions.length === 0) return <p class="muted">No conditions reported.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">Message</th>
          <th scope="col">Since</th>
        </tr>
      </thead>
      <tbody>
        {status.conditions.map((condition) => (
          <tr key={condition.type}>
            <td>{condition.type}</td>
            <td>
              <span class={`badge condition-${condition.status}`}>{condition.status}</span>
            </td>
            <td>{condition.reason}</td>
            <td class="message">{condition.message}</td>
            <td>
              <Ago at={condition.lastTransitionTime} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Reporting({ cluster, status }: ClusterPage) {
  const state = !status.reported ? "Never reported" : status.stale ? "Stale" : "Reporting";
  return (
    <Details
      entries={[
        ["State", <span class={`badge state-${state.replace(" ", "")}`}>{state}</span>],
        ["Health", <HealthBadge health={status.stale ? "Unknown" : status.health} />],
        ["Sync", <SyncBadge sync={status.stale ? "Unknown" : status.sync} />],
        ["Last report", <Ago at={status.receivedAt} />],
        [status.stale ? "Stale since" : "Stale at", <Ago at={status.staleAt} never="not before its first report" />],
        ["Agent version", status.agentVersion ?? <span class="muted">unknown</span>],
        ["Revision", <Revision revision={status.revision} />],
        ["Token issued", <Ago at={cluster.tokenIssuedAt} never="unknown (issued before the hub kept the time)" />],
      ]}
    />
  );
}

/** View 3: one cluster: its labels, EKS details, agent, token age and last report, conditions, applications, syncs and drift. */
export function ClusterView({ name }: { name: string }) {
  const live = useLive(`cluster:${name}`, loader(name));
  return (
    <Loaded live={live} title={`Cluster ${name}`} notFound={`Cluster ${name}`}>
      {({ cluster, status }) => (
        <Page title={`Cluster ${name}`} subtitle={<>Registered {duration((Date.now() - Date.parse(cluster.createdAt)) / 1000)} ago</>}>
          {status.stale && (
            <p class="failure" role="alert">
              This cluster stopped reporting: its agent was last heard <Ago at={status.receivedAt} />. What it reported then is shown as Unknown.
            </p>
          )}
          <div class="two-columns">
            <Section title="Agent">
              <Reporting cluster={cluster} status={status} />
            </Section>
            <Section title="Labels">
              {Object.keys(cluster.labels).length === 0 ? (
                <p class="muted">No labels.</p>
              ) : (
                <Details entries={Object.entries(cluster.labels).map(([key, value]) => [key, value])} />
              )}
            </Section>
            <Section title="EKS">
              <Eks eks={cluster.eks} />
            </Section>
            <Section title="Rebuilds">
              {cluster.rebuild ? (
                <p>
                  Incarnation {cluster.rebuild.incarnation}: {cluster.rebuild.phase}, requested <Ago at={cluster.rebuild.requestedAt} />.{" "}
                  <a href={href({ view: "rebuilds", cluster: name })}>Rebuild progress</a>
                </p>
              ) : (
                <p class="muted">Never rebuilt.</p>
              )}
            </Section>
          </div>
          <Section title="Conditions">
            <Conditions status={status} />
          </Section>
          <Section title="Applications">
            <Applications name={name} status={status} />
          </Section>
          <Section title="Recent syncs">
            <Syncs name={name} status={status} />
          </Section>
          <Section title="Drift events">
            <DriftTable events={status.driftEvents} cluster={name} />
          </Section>
        </Page>
      )}
    </Loaded>
  );
}
