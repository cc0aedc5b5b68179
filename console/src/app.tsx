import { useEffect, useState } from "preact/hooks";
import { clearCache, whenUnauthorized } from "./api/client.js";
import { href, useRoute, type Route } from "./routes.js";
import { signInMode, type SignInMode } from "./sign-in-mode.js";
import { Loading, NotFound, Page } from "./ui/page.js";
import { ApplicationView } from "./views/application.js";
import { ClusterView } from "./views/cluster.js";
import { ClustersView } from "./views/clusters.js";
import { GenerationsView } from "./views/generations.js";
import { MatrixView } from "./views/matrix.js";
import { OverviewView } from "./views/overview.js";
import { RebuildsView } from "./views/rebuilds.js";

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

function Starting({ mode }: { mode: Error | null }) {
  if (mode === null) return <Loading what="the console" />;
  return (
    <Page title="The console could not start">
      <p role="alert">{mode.message}</p>
    </Page>
  );
}

/** The console: its sign-in (the admin token, or Cognito on AWS) until the tab is signed in, then the view the URL names. */
export function App() {
  const route = useRoute();
  const [mode, setMode] = useState<SignInMode | Error | null>(null);
  const [signedIn, setSignedIn] = useState(false);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    signInMode()
      .then(async (found) => {
        setSignedIn(await found.resume());
        setMode(found);
      })
      .catch((error: unknown) => setMode(error instanceof Error ? error : new Error(String(error))));
  }, []);
  const signOut = (refused: boolean) => {
    if (mode && !(mode instanceof Error)) mode.signOut();
    clearCache();
    setExpired(refused);
    setSignedIn(false);
  };
  useEffect(() => whenUnauthorized(() => signOut(true)));
  const ready = mode && !(mode instanceof Error) ? mode : null;
  return (
    <>
      <Header route={route} onSignOut={ready && signedIn ? () => signOut(false) : undefined} />
      <main id="main" tabIndex={-1}>
        {!ready ? (
          <Starting mode={mode as Error | null} />
        ) : signedIn ? (
          <View route={route} />
        ) : (
          <ready.SignIn expired={expired} onSignedIn={() => setSignedIn(true)} />
        )}
      </main>
    </>
  );
}
