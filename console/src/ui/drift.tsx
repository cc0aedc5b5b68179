import type { DriftEvent, ResourceRef } from "../../../contract/status-report.js";
import { href } from "../routes.js";
import { Ago } from "./time.js";

export type ShownDrift = DriftEvent & { cluster?: string; receivedAt?: string };

export function resourceName(resource: ResourceRef): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
}

/** Drift events, newest first: when, what, which fields, by whom (the field manager), and what the agent did. */
export function DriftTable({ events, showCluster = false, cluster }: { events: ShownDrift[]; showCluster?: boolean; cluster?: string }) {
  if (events.length === 0) return <p class="muted">No drift events.</p>;
  return (
    <div class="table-wrap">
      <table class="drift">
        <thead>
          <tr>
            <th scope="col">When</th>
            {showCluster && <th scope="col">Cluster</th>}
            <th scope="col">Application</th>
            <th scope="col">Resource</th>
            <th scope="col">Fields</th>
            <th scope="col">Manager</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event, i) => {
            const where = event.cluster ?? cluster;
            return (
              <tr key={i}>
                <td>
                  <Ago at={event.at} />
                </td>
                {showCluster && <td>{event.cluster && <a href={href({ view: "cluster", cluster: event.cluster })}>{event.cluster}</a>}</td>}
                <td>
                  {where ? <a href={href({ view: "application", cluster: where, application: event.application })}>{event.application}</a> : event.application}
                </td>
                <td>{resourceName(event.resource)}</td>
                <td>
                  {event.fields.map((field) => (
                    <code key={field} class="field-path">
                      {field}
                    </code>
                  ))}
                </td>
                <td>{event.manager ?? <span class="muted">unknown</span>}</td>
                <td>
                  <span class={`badge drift-${event.action}`}>{event.action}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
