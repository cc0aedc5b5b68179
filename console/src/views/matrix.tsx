import { useMemo } from "preact/hooks";
import type { ApplicationCell, MatrixRow } from "../../../contract/fleet.js";
import { HealthStatus, SyncStatus } from "../../../contract/status-report.js";
import { matrixLoader, type WholeMatrix } from "../api/fleet.js";
import { useLive } from "../api/live.js";
import { href, replaceRoute, type Route } from "../routes.js";
import { LoadedPart, Page } from "../ui/page.js";
import { SelectorInput } from "../ui/selector-input.js";
import { HEALTH_SYMBOL, StateBadge, SYNC_SYMBOL } from "../ui/status.js";
import { VirtualTable, type Column } from "../ui/virtual-table.js";

type MatrixRoute = Extract<Route, { view: "matrix" }>;

function describe(cell: ApplicationCell): string {
  const revision = cell.revision ? `revision ${cell.revision.slice(0, 7)}` : "no revision applied";
  const behind = cell.desiredRevision && cell.desiredRevision !== cell.revision ? `, branch head ${cell.desiredRevision.slice(0, 7)}` : "";
  const why = cell.reason ? ` (${cell.reason}; reported ${cell.reportedHealth}, ${cell.reportedSync})` : "";
  return `${cell.application} on ${cell.cluster}: ${cell.health}, ${cell.sync}${why}; ${revision}${behind}`;
}

/** One cell: coloured by health, marked by sync, the revision on hover, a link to the application on that cluster. */
function Cell({ cell }: { cell: ApplicationCell | undefined }) {
  if (!cell)
    return (
      <span class="cell-none" aria-label="not deployed">
        —
      </span>
    );
  const label = describe(cell);
  return (
    <a
      class={`cell health-${cell.health} sync-${cell.sync}`}
      href={href({ view: "application", cluster: cell.cluster, application: cell.application })}
      title={label}
      aria-label={label}
    >
      <span aria-hidden="true">
        {HEALTH_SYMBOL[cell.health]}
        {SYNC_SYMBOL[cell.sync]}
      </span>
    </a>
  );
}

function matrixColumns(matrix: WholeMatrix): Column<{ row: MatrixRow; cells: Map<string, ApplicationCell> }>[] {
  return [
    {
      id: "cluster",
      header: "Cluster",
      width: "minmax(11rem, 14rem)",
      cell: ({ row }) => (
        <span class="matrix-cluster">
          <a href={href({ view: "cluster", cluster: row.cluster.name })}>{row.cluster.name}</a>
          {row.cluster.state !== "Reporting" && <StateBadge state={row.cluster.state} />}
        </span>
      ),
    },
    ...matrix.applications.map((application) => ({
      id: application,
      header: (
        <span class="app-header" title={application}>
          {application}
        </span>
      ),
      width: "minmax(4.5rem, 1fr)",
      cell: ({ cells }: { cells: Map<string, ApplicationCell> }) => <Cell cell={cells.get(application)} />,
    })),
  ];
}

function Legend() {
  return (
    <p class="legend">
      {HealthStatus.options.map((health) => (
        <span key={health} class={`cell health-${health}`}>
          <span aria-hidden="true">{HEALTH_SYMBOL[health]}</span> {health}
        </span>
      ))}
      {SyncStatus.options.map((sync) => (
        <span key={sync} class="legend-sync">
          <span aria-hidden="true">{SYNC_SYMBOL[sync]}</span> {sync}
        </span>
      ))}
    </p>
  );
}

function Choice({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** View 4: applications × clusters, filtered on the hub (selector, application, sync, health), virtualized by rows. */
export function MatrixView({ route }: { route: MatrixRoute }) {
  const filters = { selector: route.selector, application: route.application, sync: route.sync, health: route.health };
  const key = JSON.stringify(filters);
  const load = useMemo(() => matrixLoader(filters), [key]);
  const live = useLive(`matrix:${key}`, load);
  const rows = useMemo(() => (live.data?.rows ?? []).map((row) => ({ row, cells: new Map(row.cells.map((cell) => [cell.application, cell])) })), [live.data]);
  // The same columns until the matrix changes: the virtual table redraws a row only when its row or its columns change.
  const columns = useMemo(() => (live.data ? matrixColumns(live.data) : []), [live.data]);
  return (
    <Page title="Application matrix">
      <form class="filters" role="search" aria-label="Filter the matrix" onSubmit={(event) => event.preventDefault()}>
        <SelectorInput id="matrix-selector" value={route.selector} onChange={(selector) => replaceRoute({ ...route, selector })} />
        <div class="field">
          <label for="matrix-application">Application</label>
          <input
            id="matrix-application"
            type="search"
            autocomplete="off"
            value={route.application}
            onChange={(event) => replaceRoute({ ...route, application: event.currentTarget.value.trim() })}
          />
        </div>
        <Choice id="matrix-sync" label="Sync" value={route.sync} options={SyncStatus.options} onChange={(sync) => replaceRoute({ ...route, sync })} />
        <Choice
          id="matrix-health"
          label="Health"
          value={route.health}
          options={HealthStatus.options}
          onChange={(health) => replaceRoute({ ...route, health })}
        />
      </form>
      <Legend />
      <LoadedPart live={live} what="the matrix">
        {(matrix) => (
          <>
            <p class="count" role="status">
              {matrix.totals.clusters.toLocaleString("en")} clusters × {matrix.applications.length} applications, {matrix.totals.cells.toLocaleString("en")}{" "}
              deployed
              {matrix.complete ? "" : ` (loading: ${matrix.rows.length.toLocaleString("en")} rows so far)`}
            </p>
            <VirtualTable label="Applications by cluster" rows={rows} columns={columns} rowKey={({ row }) => row.cluster.name} />
          </>
        )}
      </LoadedPart>
    </Page>
  );
}
