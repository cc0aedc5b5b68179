import { useMemo } from "preact/hooks";
import type { FleetCluster } from "../../../contract/fleet.js";
import { matches } from "../../../core/labels/selector.js";
import { clustersLoader } from "../api/fleet.js";
import { useLive } from "../api/live.js";
import { href, replaceRoute, type ClusterSort, type Route } from "../routes.js";
import { MARKS, useFirstShown } from "../ui/marks.js";
import { Loaded, Page } from "../ui/page.js";
import { readSelector, SelectorInput } from "../ui/selector-input.js";
import { HealthBadge, StateBadge, SyncBadge } from "../ui/status.js";
import { Ago } from "../ui/time.js";
import { VirtualTable, type Column } from "../ui/virtual-table.js";

type ClustersRoute = Extract<Route, { view: "clusters" }>;

const loadAll = clustersLoader();
const NO_CLUSTERS: FleetCluster[] = [];

/** Worst first, so a descending sort is not needed to find trouble. */
const RANK: Record<string, number> = {
  Stale: 0,
  NeverReported: 1,
  Reporting: 2,
  Unknown: 0,
  Degraded: 1,
  Missing: 2,
  Progressing: 3,
  Suspended: 4,
  Healthy: 5,
  OutOfSync: 1,
  Synced: 2,
};

const SORT_KEY: Record<ClusterSort, (cluster: FleetCluster) => string | number> = {
  name: (c) => c.name,
  state: (c) => RANK[c.state]!,
  health: (c) => RANK[c.health]!,
  sync: (c) => RANK[c.sync]!,
  // Oldest report first: the silent ones lead.
  report: (c) => c.receivedAt ?? "",
};

function visibleClusters(all: FleetCluster[], route: ClustersRoute): FleetCluster[] {
  const { selector } = readSelector(route.selector);
  const search = route.search.trim().toLowerCase();
  const key = SORT_KEY[route.sort];
  const kept = all.filter(
    (cluster) =>
      (!selector || matches(selector, cluster.labels)) &&
      (!search || cluster.name.includes(search) || Object.entries(cluster.labels).some(([k, v]) => `${k}=${v}`.includes(search))),
  );
  const sign = route.descending ? -1 : 1;
  return kept.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1) * sign;
  });
}

function Labels({ labels }: { labels: Record<string, string> }) {
  return (
    <span class="labels">
      {Object.entries(labels).map(([key, value]) => (
        <span key={key} class="label">
          {key}={value}
        </span>
      ))}
    </span>
  );
}

function columns(route: ClustersRoute): Column<FleetCluster>[] {
  const sortable = (sort: ClusterSort) => ({
    direction: route.sort === sort ? (route.descending ? ("descending" as const) : ("ascending" as const)) : null,
    onSort: () => replaceRoute({ ...route, sort, descending: route.sort === sort && !route.descending }),
  });
  return [
    {
      id: "name",
      header: "Cluster",
      width: "minmax(10rem, 1.2fr)",
      sort: sortable("name"),
      cell: (c) => <a href={href({ view: "cluster", cluster: c.name })}>{c.name}</a>,
    },
    { id: "state", header: "State", width: "9rem", sort: sortable("state"), cell: (c) => <StateBadge state={c.state} /> },
    { id: "health", header: "Health", width: "9rem", sort: sortable("health"), cell: (c) => <HealthBadge health={c.health} /> },
    { id: "sync", header: "Sync", width: "9rem", sort: sortable("sync"), cell: (c) => <SyncBadge sync={c.sync} /> },
    { id: "report", header: "Last report", width: "8rem", sort: sortable("report"), cell: (c) => <Ago at={c.receivedAt} /> },
    { id: "agent", header: "Agent", width: "7rem", cell: (c) => c.agentVersion ?? <span class="muted">none</span> },
    { id: "labels", header: "Labels", width: "minmax(12rem, 2fr)", cell: (c) => <Labels labels={c.labels} /> },
  ];
}

/** View 2: every cluster, filtered by a label selector and a search, sorted, in a virtualized table; the filters live in the URL. */
export function ClustersView({ route }: { route: ClustersRoute }) {
  const live = useLive("clusters", loadAll);
  const clusters = live.data?.clusters ?? NO_CLUSTERS;
  const shown = useMemo(() => visibleClusters(clusters, route), [clusters, route]);
  useFirstShown(MARKS.clustersFilled, live.data?.complete === true);
  return (
    <Loaded live={live} title="Clusters" notFound="The cluster list">
      {(all) => (
        <Page title="Clusters">
          <form class="filters" role="search" aria-label="Filter clusters" onSubmit={(event) => event.preventDefault()}>
            <SelectorInput id="cluster-selector" value={route.selector} onChange={(selector) => replaceRoute({ ...route, selector })} />
            <div class="field">
              <label for="cluster-search">Search</label>
              <input
                id="cluster-search"
                type="search"
                autocomplete="off"
                placeholder="name or label"
                value={route.search}
                onInput={(event) => replaceRoute({ ...route, search: event.currentTarget.value })}
              />
            </div>
          </form>
          <p class="count" role="status">
            {shown.length.toLocaleString("en")} of {all.total.toLocaleString("en")} clusters
            {all.complete ? "" : ` (loading: ${clusters.length.toLocaleString("en")} so far)`}
          </p>
          <VirtualTable label="Clusters" rows={shown} columns={columns(route)} rowKey={(c) => c.name} />
        </Page>
      )}
    </Loaded>
  );
}
