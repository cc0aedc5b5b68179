import { ClusterApplication, type ApplicationResource } from "../../../contract/fleet.js";
import { getJson } from "../api/client.js";
import { useLive } from "../api/live.js";
import { href } from "../routes.js";
import { DriftTable } from "../ui/drift.js";
import { Loaded, Page, Section } from "../ui/page.js";
import { HealthBadge, StateBadge, SyncBadge } from "../ui/status.js";
import { Ago, Revision } from "../ui/time.js";

/** Resources by wave, then by kind, in the order the API gives them (wave, kind, namespace, name). */
function tree(resources: ApplicationResource[]): [string, [string, ApplicationResource[]][]][] {
  const waves = new Map<string, Map<string, ApplicationResource[]>>();
  for (const resource of resources) {
    const wave = resource.wave === null ? "Not in Git" : `Wave ${resource.wave}`;
    const kinds = waves.get(wave) ?? new Map<string, ApplicationResource[]>();
    waves.set(wave, kinds);
    kinds.set(resource.kind, [...(kinds.get(resource.kind) ?? []), resource]);
  }
  return [...waves].map(([wave, kinds]) => [wave, [...kinds]]);
}

function Resource({ resource }: { resource: ApplicationResource }) {
  return (
    <li class="resource">
      <span class="resource-name">
        {resource.namespace ? `${resource.namespace}/` : ""}
        {resource.name}
      </span>{" "}
      <HealthBadge health={resource.health} /> <SyncBadge sync={resource.sync} />
      {!resource.desired && <span class="badge sync-OutOfSync">not in Git</span>}
      {resource.message && <span class="message"> {resource.message}</span>}
    </li>
  );
}

function ResourceTree({ resources }: { resources: ApplicationResource[] }) {
  if (resources.length === 0) return <p class="muted">No resources.</p>;
  return (
    <div class="tree">
      {tree(resources).map(([wave, kinds]) => (
        <details key={wave} open>
          <summary>{wave}</summary>
          {kinds.map(([kind, items]) => (
            <details key={kind} open class="kind">
              <summary>
                {kind} ({items.length})
              </summary>
              <ul>
                {items.map((resource) => (
                  <Resource key={`${resource.group}/${resource.kind}/${resource.namespace ?? ""}/${resource.name}`} resource={resource} />
                ))}
              </ul>
            </details>
          ))}
        </details>
      ))}
    </div>
  );
}

function Manifests({ git }: { git: ClusterApplication["git"] }) {
  if (!git) return <p class="muted">The deploy branch does not hold this application.</p>;
  if (git.deleted) return <p>A tombstone is at {git.path}: the application is being deleted from this cluster.</p>;
  return (
    <>
      <p>
        <code>{git.path}</code> at <Revision revision={git.revision} />
      </p>
      {[
        ["application.yaml", git.application],
        ["manifests.yaml", git.manifests],
      ].map(([file, text]) => (
        <details key={file}>
          <summary>{file}</summary>
          <pre class="manifest" tabIndex={0} role="region" aria-label={file!}>
            {text}
          </pre>
        </details>
      ))}
    </>
  );
}

/** View 5: one application on one cluster: its resources by wave and kind, its drift, and what Git holds for it. */
export function ApplicationView({ cluster, application }: { cluster: string; application: string }) {
  const path = `/v1/clusters/${encodeURIComponent(cluster)}/applications/${encodeURIComponent(application)}`;
  const live = useLive(path, () => getJson(path, ClusterApplication));
  const title = `${application} on ${cluster}`;
  return (
    <Loaded live={live} title={title} notFound={`Application ${application} on cluster ${cluster}`}>
      {(data) => (
        <Page
          title={title}
          subtitle={
            <>
              <a href={href({ view: "cluster", cluster })}>Cluster {cluster}</a> <StateBadge state={data.cluster.state} />
            </>
          }
        >
          <Section title="Status">
            {data.cell ? (
              <p>
                <HealthBadge health={data.cell.health} /> <SyncBadge sync={data.cell.sync} />
                {data.cell.reason && (
                  <span class="muted">
                    {" "}
                    ({data.cell.reason}: reported {data.cell.reportedHealth}, {data.cell.reportedSync})
                  </span>
                )}{" "}
                applied <Revision revision={data.cell.revision} />, branch head <Revision revision={data.cell.desiredRevision} />, last synced{" "}
                <Ago at={data.cell.lastSyncedAt} />. {data.cell.message && <span class="message">{data.cell.message}</span>}
              </p>
            ) : (
              <p class="muted">The agent has not reported this application yet.</p>
            )}
          </Section>
          <Section title="Resources">
            <ResourceTree resources={data.resources} />
          </Section>
          <Section title="Drift events">
            <DriftTable events={data.driftEvents} cluster={cluster} />
          </Section>
          <Section title="Manifests from Git">
            <Manifests git={data.git} />
          </Section>
        </Page>
      )}
    </Loaded>
  );
}
