import { RebuildList, type Rebuild } from "../../../contract/rebuild.js";
import { getJson } from "../api/client.js";
import { useLive } from "../api/live.js";
import { href } from "../routes.js";
import { Loaded, Page, Section } from "../ui/page.js";
import { Ago, duration, Revision } from "../ui/time.js";

function Phases({ rebuild }: { rebuild: Rebuild }) {
  return (
    <ol class="phases">
      {rebuild.phases.map((entry) => (
        <li key={entry.phase} class={entry.phase === rebuild.phase ? "current" : undefined} aria-current={entry.phase === rebuild.phase ? "step" : undefined}>
          <strong>{entry.phase}</strong> <Ago at={entry.enteredAt} />
          {entry.seconds !== null && <span class="muted"> ({duration(entry.seconds)})</span>}
        </li>
      ))}
    </ol>
  );
}

function RebuildCard({ rebuild }: { rebuild: Rebuild }) {
  const { converged, total } = rebuild.applications;
  return (
    <Section title={`Incarnation ${rebuild.incarnation}: ${rebuild.phase}`} id={`incarnation-${rebuild.incarnation}`}>
      <p>
        “{rebuild.reason}”, requested <Ago at={rebuild.requestedAt} />
        {rebuild.recreateEks ? ", recreating the EKS control plane" : ""}; target <Revision revision={rebuild.targetRevision} />;
        {rebuild.totalSeconds === null ? (
          <>
            {" "}
            deadline <Ago at={rebuild.deadline} />.
          </>
        ) : (
          <> took {duration(rebuild.totalSeconds)}.</>
        )}
      </p>
      <p>
        <label for={`progress-${rebuild.incarnation}`}>
          Applications converged: {converged} of {total}
        </label>{" "}
        <progress id={`progress-${rebuild.incarnation}`} max={Math.max(total, 1)} value={converged} />
      </p>
      {rebuild.message && <p class={rebuild.phase === "Converged" ? undefined : "failure"}>{rebuild.message}</p>}
      <Phases rebuild={rebuild} />
    </Section>
  );
}

/** View 7: a cluster's rebuilds (disaster recovery), newest first, phase by phase until its applications converge. */
export function RebuildsView({ name }: { name: string }) {
  const path = `/v1/clusters/${encodeURIComponent(name)}/rebuilds`;
  const live = useLive(path, () => getJson(path, RebuildList));
  const title = `Rebuilds of ${name}`;
  return (
    <Loaded live={live} title={title} notFound={`Cluster ${name}`}>
      {(list) => (
        <Page title={title} subtitle={<a href={href({ view: "cluster", cluster: name })}>Cluster {name}</a>}>
          {list.items.length === 0 ? (
            <p class="muted">This cluster was never rebuilt.</p>
          ) : (
            list.items.map((rebuild) => <RebuildCard key={rebuild.incarnation} rebuild={rebuild} />)
          )}
        </Page>
      )}
    </Loaded>
  );
}
