import { useState } from "preact/hooks";
import {
  GenerationHistoryPage,
  GenerationRun,
  type GenerationRecord,
  type GenerationRecordError,
  type GenerationRunResult,
} from "../../../contract/generation.js";
import { ApiFailure, getJson, postJson } from "../api/client.js";
import { useLive } from "../api/live.js";
import { Failure, LoadedPart, Page, Section } from "../ui/page.js";
import { Ago, Revision } from "../ui/time.js";

const loadHistory = () => getJson("/v1/generations?limit=50", GenerationHistoryPage);

function byFile(errors: GenerationRecordError[]): [string, GenerationRecordError[]][] {
  const files = new Map<string, GenerationRecordError[]>();
  for (const error of errors) files.set(error.file, [...(files.get(error.file) ?? []), error]);
  return [...files];
}

function RunErrors({ run }: { run: GenerationRecord }) {
  if (run.errorCount === 0 && !run.blocked) return <span class="muted">none</span>;
  return (
    <details>
      <summary class="bad">
        {run.errorCount} errors{run.blocked ? ", blocked" : ""}
      </summary>
      {run.blocked && <p>{run.blocked.message}</p>}
      {byFile(run.errors).map(([file, errors]) => (
        <div key={file} class="file-errors">
          <code>{file}</code>
          <ul>
            {errors.map((error, i) => (
              <li key={i}>
                {[error.applicationSet, error.application, error.cluster, error.field].filter(Boolean).join(" · ")}
                {error.applicationSet || error.application || error.cluster || error.field ? ": " : ""}
                {error.message}
              </li>
            ))}
          </ul>
        </div>
      ))}
      {run.errorCount > run.errors.length && <p class="muted">and {run.errorCount - run.errors.length} more not kept</p>}
    </details>
  );
}

function History({ page }: { page: GenerationHistoryPage }) {
  if (page.items.length === 0) return <p class="muted">No generation runs in the last 30 days.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Trigger</th>
          <th scope="col">Source revision</th>
          <th scope="col">Clusters changed</th>
          <th scope="col">Applications +/~/−</th>
          <th scope="col">Duration</th>
          <th scope="col">Errors</th>
        </tr>
      </thead>
      <tbody>
        {page.items.map((run) => (
          <tr key={run.id}>
            <td>
              <Ago at={run.startedAt} />
              {run.dryRun && <span class="badge"> dry run</span>}
            </td>
            <td>{run.trigger}</td>
            <td>
              <Revision revision={run.sourceRevision} />
            </td>
            <td>{run.clustersChanged}</td>
            <td>
              +{run.applicationsAdded} ~{run.applicationsChanged} −{run.applicationsRemoved}
            </td>
            <td>{(run.durationMs / 1000).toFixed(1)} s</td>
            <td>
              <RunErrors run={run} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function lineKind(line: string): string | undefined {
  if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("@@")) return "header";
  return line.startsWith("+") ? "added" : line.startsWith("-") ? "removed" : undefined;
}

/** A unified diff with its added and removed lines marked (by a sign and a colour). */
function Diff({ text, label }: { text: string; label: string }) {
  return (
    <pre class="diff" tabIndex={0} role="region" aria-label={label}>
      {text.split("\n").map((line, i) => (
        <span key={i} class={lineKind(line)}>
          {line}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}

/** Queues a dry run and follows it until it ends: its result, or a failure saying why. */
async function dryRun(): Promise<GenerationRunResult> {
  let run = await postJson("/v1/generate?dryRun=true", GenerationRun);
  while (run.state === "queued" || run.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 500));
    run = await getJson(`/v1/generations/${encodeURIComponent(run.id)}`, GenerationRun);
  }
  if (!run.result) throw new ApiFailure(200, "failed", `the dry run failed: ${run.error ?? "no result"}`);
  return run.result;
}

function DryRun() {
  const [result, setResult] = useState<GenerationRunResult | ApiFailure | "running" | null>(null);
  const run = () => {
    setResult("running");
    dryRun().then(setResult, (error: unknown) => setResult(error instanceof ApiFailure ? error : new ApiFailure(0, "unexpected", String(error))));
  };
  const changed = result instanceof Object && !(result instanceof ApiFailure) ? result.clusters.filter((c) => c.diffs?.length) : [];
  return (
    <>
      <p>
        <button type="button" onClick={run} disabled={result === "running"}>
          {result === "running" ? "Running a dry run…" : "Dry run: what would change now"}
        </button>
      </p>
      {result instanceof ApiFailure && <Failure error={result} />}
      {result instanceof Object && !(result instanceof ApiFailure) && (
        <div role="status">
          <p>
            At <Revision revision={result.sourceRevision} />: {changed.length} clusters would change, {result.errors.length} errors.
          </p>
          {changed.map((cluster) => (
            <details key={cluster.name} open={changed.length <= 3}>
              <summary>
                {cluster.name}: +{cluster.added.length} ~{cluster.changed.length} −{cluster.removed.length}
              </summary>
              {cluster.diffs!.map((diff) => (
                <div key={diff.path}>
                  <code>{diff.path}</code>
                  <Diff text={diff.diff} label={`diff of ${diff.path}`} />
                </div>
              ))}
            </details>
          ))}
        </div>
      )}
    </>
  );
}

/** View 6: the generation runs (trigger, revision, clusters changed, errors per file) and a dry run's diff. */
export function GenerationsView() {
  const live = useLive("generations", loadHistory);
  return (
    <Page title="Generation history">
      <Section title="Dry run">
        <DryRun />
      </Section>
      <Section title="Runs">
        <LoadedPart live={live} what="the generation history">
          {(page) => <History page={page} />}
        </LoadedPart>
      </Section>
    </Page>
  );
}
