import { FleetEventPage, FleetOverview, type ApplicationCell, type ClusterCounts, type StatusCounts } from "../../../contract/fleet.js";
import { getJson, withQuery } from "../api/client.js";
import { useLive } from "../api/live.js";
import { href } from "../routes.js";
import { DriftTable } from "../ui/drift.js";
import { Failure, Loaded, Page, Section } from "../ui/page.js";
import { MARKS, useFirstShown } from "../ui/marks.js";
import { HealthBadge, SyncBadge } from "../ui/status.js";
import { Ago, Revision } from "../ui/time.js";

const loadFleet = () => getJson("/v1/fleet", FleetOverview);
const loadDrift = () => getJson(withQuery("/v1/events", { limit: 50 }), FleetEventPage);

function Counts({ label, counts, extra = [] }: { label: string; counts: StatusCounts; extra?: [string, number, string?][] }) {
  const entries: [string, number, string?][] = [
    ...extra,
    // Health and sync both have an Unknown: each says which it is.
    ...Object.entries(counts.health).map(([status, n]): [string, number, string] => [status === "Unknown" ? "Health unknown" : status, n, `health-${status}`]),
    ...Object.entries(counts.sync).map(([status, n]): [string, number, string] => [status === "Unknown" ? "Sync unknown" : status, n, `sync-${status}`]),
  ];
  return (
    <div class="card">
      <h3>
        {counts.total.toLocaleString("en")} {label}
      </h3>
      <dl class="counts">
        {entries.map(([name, n, kind]) => (
          <div key={name} class={kind ? `count-${kind}` : undefined}>
            <dt>{name}</dt>
            <dd>{n.toLocaleString("en")}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function clusterExtras(clusters: ClusterCounts): [string, number, string?][] {
  return [
    ["Stale", clusters.stale, "state-Stale"],
    ["Never reported", clusters.neverReported, "state-NeverReported"],
    ["Reporting", clusters.reporting],
  ];
}

function CellList({ cells, empty }: { cells: ApplicationCell[]; empty: string }) {
  if (cells.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="problems">
      {cells.map((cell) => (
        <li key={`${cell.cluster}/${cell.application}`}>
          <a href={href({ view: "application", cluster: cell.cluster, application: cell.application })}>
            {cell.application} on {cell.cluster}
          </a>{" "}
          <HealthBadge health={cell.health} /> <SyncBadge sync={cell.sync} /> {cell.message && <span class="message">{cell.message}</span>}{" "}
          <Ago at={cell.updatedAt} />
        </li>
      ))}
    </ul>
  );
}

function LastGeneration({ fleet }: { fleet: FleetOverview }) {
  const last = fleet.problems.lastGeneration;
  if (!last) return <p class="muted">No generation run recorded.</p>;
  return (
    <div>
      <p>
        <Ago at={last.startedAt} /> ({last.trigger}) at <Revision revision={last.sourceRevision} />: {last.clustersChanged} clusters changed,{" "}
        <strong class={last.errorCount ? "bad" : undefined}>{last.errorCount} errors</strong>
        {last.blocked && <strong class="bad"> — blocked by the removal guard</strong>}. <a href={href({ view: "generations" })}>Generation history</a>
      </p>
      {last.failedFiles.length > 0 && (
        <ul class="problems">
          {last.failedFiles.map((file) => (
            <li key={file.file}>
              <code>{file.file}</code>: {file.errors} errors; first: {file.first.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** View 1: the fleet at a glance, errors first: what is broken, then the counts. */
export function OverviewView() {
  const fleet = useLive("fleet", loadFleet);
  const events = useLive("events", loadDrift);
  useFirstShown(MARKS.overview, fleet.data !== undefined);
  return (
    <Loaded live={fleet} title="Fleet overview" notFound="The fleet overview">
      {(data) => (
        <Page
          title="Fleet overview"
          subtitle={
            <>
              As of <Ago at={data.asOf} />
            </>
          }
        >
          <div class="problem-grid">
            <Section title="Degraded applications">
              <CellList cells={data.problems.degraded} empty="None: no application is Degraded or Missing." />
            </Section>
            <Section title="Stale clusters">
              {data.problems.stale.length === 0 ? (
                <p class="muted">None: every cluster that reported is reporting.</p>
              ) : (
                <ul class="problems">
                  {data.problems.stale.map((stale) => (
                    <li key={stale.cluster}>
                      <a href={href({ view: "cluster", cluster: stale.cluster })}>{stale.cluster}</a> silent since <Ago at={stale.receivedAt} />
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <Section title="Out of sync applications">
              <CellList cells={data.problems.outOfSync} empty="None: every application is Synced." />
            </Section>
            <Section title="Last generation">
              <LastGeneration fleet={data} />
            </Section>
          </div>
          <Section title="Counts">
            <div class="cards">
              <Counts label="clusters" counts={data.clusters} extra={clusterExtras(data.clusters)} />
              <Counts label="applications on clusters" counts={data.applications} />
            </div>
          </Section>
          <Section title="Recent drift">
            {events.error && <Failure error={events.error} />}
            <DriftTable events={(events.data?.items ?? []).flatMap((event) => (event.type === "drift" ? [event] : []))} showCluster />
          </Section>
        </Page>
      )}
    </Loaded>
  );
}
