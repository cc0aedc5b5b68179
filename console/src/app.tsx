import { useEffect, useState } from "preact/hooks";
import { clearCache, whenUnauthorized } from "./api/client.js";
import { forgetToken, storedToken } from "./api/session.js";
import { href, useRoute, type Route } from "./routes.js";
import { NotFound } from "./ui/page.js";
import { ApplicationView } from "./views/application.js";
import { ClusterView } from "./views/cluster.js";
import { ClustersView } from "./views/clusters.js";
import { GenerationsView } from "./views/generations.js";
import { MatrixView } from "./views/matrix.js";
import { OverviewView } from "./views/overview.js";
import { RebuildsView } from "./views/rebuilds.js";
import { SignInView } from "./views/sign-in.js";

const NAV: { label: string; route: Route; views: Route["view"][] }[] = [
  { label: "Overview", route: { view: "overview" }, views: ["overview"] },
  {
    label: "Clusters",
    route: { view: "clusters", selector: "", search: "", sort: "name", descending: false },
    views: ["clusters", "cluster", "application", "rebuilds"],
  },
  { label: "Matrix", route: { view: "matrix", selector: "", application: "", sync: "", health: "" }, views: ["matrix"] },
  { label: "Generations", route: { view: "generations" }, views: ["generations"] },
];

function View({ route }: { route: Route }) {
  switch (route.view) {
    case "overview":
      return <OverviewView />;
    case "clusters":
      return <ClustersView route={route} />;
    case "cluster":
      return <ClusterView key={route.cluster} name={route.cluster} />;
    case "matrix":
      return <MatrixView route={route} />;
    case "application":
      return <ApplicationView key={`${route.cluster}/${route.application}`} cluster={route.cluster} application={route.application} />;
    case "generations":
      return <GenerationsView />;
    case "rebuilds":
      return <RebuildsView key={route.cluster} name={route.cluster} />;
    case "not-found":
      return <NotFound what={`The page ${route.path || "/"}`} detail="this console has no such view" />;
  }
}

function Header({ route, onSignOut }: { route: Route; onSignOut?: () => void }) {
  return (
    <header class="top">
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <a class="brand" href={href({ view: "overview" })}>
        Radial
      </a>
      {onSignOut && (
        <>
          <nav aria-label="Views">
            {NAV.map((item) => (
              <a key={item.label} href={href(item.route)} aria-current={item.views.includes(route.view) ? "page" : undefined}>
                {item.label}
              </a>
            ))}
          </nav>
          <button type="button" class="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </>
      )}
    </header>
  );
}

/** The console: sign-in until a token is kept, then the view the URL names. */
export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => storedToken() !== null);
  const [expired, setExpired] = useState(false);
  useEffect(() =>
    whenUnauthorized(() => {
      setExpired(true);
      setSignedIn(false);
    }),
  );
  const signOut = () => {
    forgetToken();
    clearCache();
    setExpired(false);
    setSignedIn(false);
  };
  return (
    <>
      <Header route={route} onSignOut={signedIn ? signOut : undefined} />
      <main id="main" tabIndex={-1}>
        {signedIn ? <View route={route} /> : <SignInView expired={expired} onSignedIn={() => setSignedIn(true)} />}
      </main>
    </>
  );
}
