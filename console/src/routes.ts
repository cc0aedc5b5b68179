import { useEffect, useState } from "preact/hooks";

// The console's places, kept in the URL's fragment (`#/clusters?selector=env%3Dprod`), so any view
// with its filters can be shared as a link, and the page is plain static files (no server routes).

export const CLUSTER_SORTS = ["name", "state", "health", "sync", "report"] as const;
export type ClusterSort = (typeof CLUSTER_SORTS)[number];

export type Route =
  | { view: "overview" }
  | { view: "clusters"; selector: string; search: string; sort: ClusterSort; descending: boolean }
  | { view: "cluster"; cluster: string }
  | { view: "matrix"; selector: string; application: string; sync: string; health: string }
  | { view: "application"; cluster: string; application: string }
  | { view: "generations" }
  | { view: "rebuilds"; cluster: string }
  | { view: "not-found"; path: string };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function clustersRoute(query: URLSearchParams): Route {
  const sort = query.get("sort") ?? "name";
  return {
    view: "clusters",
    selector: query.get("selector") ?? "",
    search: query.get("search") ?? "",
    sort: (CLUSTER_SORTS as readonly string[]).includes(sort) ? (sort as ClusterSort) : "name",
    descending: query.get("order") === "desc",
  };
}

/** The route a fragment names; anything unknown is the not-found view, never a blank page. */
export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  const segments = path.split("/").filter(Boolean).map(decode);
  const notFound: Route = { view: "not-found", path };
  if (segments.some((segment) => segment === undefined)) return notFound;
  const [first, second, third, fourth, ...rest] = segments as string[];
  if (rest.length > 0) return notFound;
  if (first === undefined) return { view: "overview" };
  if (first === "clusters" && second === undefined) return clustersRoute(query);
  if (first === "clusters" && third === undefined) return { view: "cluster", cluster: second! };
  if (first === "clusters" && third === "applications" && fourth !== undefined) return { view: "application", cluster: second!, application: fourth };
  if (first === "clusters" && third === "rebuilds" && fourth === undefined) return { view: "rebuilds", cluster: second! };
  if (first === "matrix" && second === undefined) {
    const get = (name: string) => query.get(name) ?? "";
    return { view: "matrix", selector: get("selector"), application: get("application"), sync: get("sync"), health: get("health") };
  }
  if (first === "generations" && second === undefined) return { view: "generations" };
  return notFound;
}

function withQuery(path: string, query: Record<string, string>): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== ""));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The link to a route; default filters are left out. */
export function href(route: Route): string {
  const name = encodeURIComponent;
  switch (route.view) {
    case "overview":
      return "#/";
    case "clusters":
      return `#${withQuery("/clusters", {
        selector: route.selector,
        search: route.search,
        sort: route.sort === "name" ? "" : route.sort,
        order: route.descending ? "desc" : "",
      })}`;
    case "cluster":
      return `#/clusters/${name(route.cluster)}`;
    case "matrix":
      return `#${withQuery("/matrix", { selector: route.selector, application: route.application, sync: route.sync, health: route.health })}`;
    case "application":
      return `#/clusters/${name(route.cluster)}/applications/${name(route.application)}`;
    case "generations":
      return "#/generations";
    case "rebuilds":
      return `#/clusters/${name(route.cluster)}/rebuilds`;
    case "not-found":
      return `#${route.path}`;
  }
}

const REPLACED = "radial:route";

/** Rewrites the URL for a filter as it is typed: no history entry per keystroke. */
export function replaceRoute(route: Route): void {
  history.replaceState(null, "", href(route));
  window.dispatchEvent(new Event(REPLACED));
}

/** The current route, following links, back and forward, and replaceRoute. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", update);
    window.addEventListener(REPLACED, update);
    return () => {
      window.removeEventListener("hashchange", update);
      window.removeEventListener(REPLACED, update);
    };
  }, []);
  return route;
}
