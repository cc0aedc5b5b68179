import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { assessHealth } from "../agent/health/index.js";
import type { KubeObject } from "../agent/kube/object.js";
import type { HealthStatus } from "../contract/status-report.js";
import { expandAndCheck, ManifestError, parseJsonManifests, parseYamlManifests } from "../core/manifests/objects.js";
import { runAction, serialize, table, usageError, type OutputFormat } from "./output.js";

/** One object's health; status null when Argo CD has no health check for its kind. */
interface HealthRow {
  kind: string;
  namespace: string | null;
  name: string;
  status: HealthStatus | null;
  message: string | null;
}

/** The objects in FILE (or stdin for `-`): multi-document YAML, a `kind: List`, or JSON. */
async function readObjects(file: string): Promise<KubeObject[]> {
  const source = file === "-" ? "stdin" : file;
  let content: string;
  try {
    content = file === "-" ? await text(process.stdin) : await readFile(file, "utf8");
  } catch (error) {
    throw usageError(`-f ${file}: ${(error as Error).message}`);
  }
  try {
    // A JSON object is YAML too; a JSON array (of objects) is not a manifest stream.
    const objects = /^\s*\[/.test(content) ? parseJsonManifests(content, source) : parseYamlManifests(content, source);
    return expandAndCheck(objects, source) as KubeObject[];
  } catch (error) {
    if (error instanceof ManifestError) throw usageError(error.message);
    throw error;
  }
}

async function health(options: { filename: string }, command: Command): Promise<void> {
  const format = command.optsWithGlobals<{ output: OutputFormat }>().output;
  const rows = (await readObjects(options.filename)).map((object): HealthRow => {
    const health = assessHealth(object);
    return {
      kind: object.kind,
      namespace: object.metadata.namespace ?? null,
      name: object.metadata.name,
      status: health?.status ?? null,
      message: health?.message ?? null,
    };
  });
  process.stdout.write(
    format === "table"
      ? table(
          ["KIND", "NAMESPACE", "NAME", "STATUS", "MESSAGE"],
          rows.map((r) => [r.kind, r.namespace ?? "-", r.name, r.status ?? "-", r.message ?? ""]),
        )
      : serialize(rows, format),
  );
}

export function registerHealthCommand(program: Command): void {
  program
    .command("health")
    .description("assess the health of Kubernetes objects as Argo CD does (e.g. kubectl get deploy x -o yaml | radial health -f -)")
    .requiredOption("-f, --filename <file>", "YAML (several documents, or a kind: List) or JSON; - reads stdin")
    .addHelpText(
      "after",
      `
Prints KIND NAMESPACE NAME STATUS MESSAGE per object; -o json|yaml gives [{ kind, namespace, name, status, message }].
STATUS is Healthy, Progressing, Degraded, Suspended, Missing or Unknown; kinds Argo CD has no health
check for (ConfigMaps, most custom resources) show "-" in the table and status null in JSON, and do
not count toward an application's health. Exits 0 whatever the health; 2 when the input cannot be read.`,
    )
    .action(runAction(health));
}
