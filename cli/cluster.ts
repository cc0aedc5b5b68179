import { InvalidArgumentError, type Command } from "commander";
import { open, rm } from "node:fs/promises";
import type { z } from "zod";
import { CLUSTER_LIMITS, ClusterName, parseWith, PatchClusterRequest, RegisterClusterRequest, type Cluster } from "../contract/index.js";
import { parseSelector, SelectorError } from "../core/labels/selector.js";
import type { HubClient } from "./hub-client.js";
import { hubClient, withHubOptions, type HubOptions } from "./hub-options.js";
import { CliError, clusterTable, runAction as run, formatLabels, printCluster, printClusters, serialize, usageError, type OutputFormat } from "./output.js";

/** The client and output format every cluster command needs; refuses before any request when the token or URL is unusable. */
function connect(command: Command): { client: HubClient; format: OutputFormat } {
  const options = command.optsWithGlobals<HubOptions & { output: OutputFormat }>();
  return { client: hubClient(options), format: options.output };
}

/** Checks a request against the contract here, so a mistake is a usage error and nothing is sent. */
function validated<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = parseWith(schema, input, what);
  if (!parsed.ok) throw usageError(parsed.message);
  return parsed.value;
}

const clusterName = (name: string): string => validated(ClusterName, name, `cluster name "${name}"`);

// ---- argument syntax (commander reports these as usage errors) ----

/** Collects repeated `--label k=v` into one record; a key given twice is a mistake rather than an override. */
function keyValue(what: string) {
  return (text: string, previous: Record<string, string> | undefined): Record<string, string> => {
    const equals = text.indexOf("=");
    if (equals <= 0) throw new InvalidArgumentError("expected key=value");
    const key = text.slice(0, equals);
    if (previous && key in previous) throw new InvalidArgumentError(`${what} "${key}" is given twice`);
    return { ...previous, [key]: text.slice(equals + 1) };
  };
}

/** kubectl's syntax: `k=v` sets a label, `k-` removes it (null in the merge patch). */
function labelChange(text: string, previous: Record<string, string | null> | undefined): Record<string, string | null> {
  const equals = text.indexOf("=");
  const [key, value] = equals > 0 ? [text.slice(0, equals), text.slice(equals + 1)] : text.endsWith("-") && text.length > 1 ? [text.slice(0, -1), null] : [];
  if (key === undefined || value === undefined) throw new InvalidArgumentError("expected key=value to set a label or key- to remove it");
  if (previous && key in previous) throw new InvalidArgumentError(`label "${key}" is given twice`);
  return { ...previous, [key]: value };
}

function selector(text: string): string {
  try {
    parseSelector(text);
    return text;
  } catch (error) {
    if (error instanceof SelectorError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function pageSize(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > CLUSTER_LIMITS.maxPageSize) {
    throw new InvalidArgumentError(`must be an integer from 1 to ${CLUSTER_LIMITS.maxPageSize}`);
  }
  return limit;
}

// ---- the one-time token and its bootstrap manifest ----

interface SecretFile {
  write(text: string): Promise<void>;
  /** Closes the file, removing it if this command created it. */
  abandon(): Promise<void>;
}

/**
 * Opens --bootstrap-out before anything is sent: the manifest holds a token the hub never shows
 * again, so a path that cannot be written must fail while nothing has changed. The file is made
 * 0600 before the token goes into it.
 */
async function reserveSecretFile(path: string): Promise<SecretFile> {
  try {
    const created = await open(path, "wx", 0o600).catch((error: unknown) => {
      if (error instanceof Error && "code" in error && error.code === "EEXIST") return undefined;
      throw error;
    });
    const handle = created ?? (await open(path, "r+"));
    await handle.chmod(0o600);
    return {
      async write(text) {
        await handle.truncate(0);
        await handle.write(text, 0);
        await handle.close();
      },
      async abandon() {
        await handle.close();
        if (created) await rm(path, { force: true });
      },
    };
  } catch (error) {
    throw usageError(`cannot write --bootstrap-out ${path}: ${(error as Error).message}`);
  }
}

/** Sends a request whose answer carries a bootstrap manifest, and writes that to `path` (if given) before anything else. */
export async function fetchSecret<T extends { bootstrap: string }>(path: string | undefined, name: string, request: () => Promise<T>): Promise<T> {
  const file = path === undefined ? undefined : await reserveSecretFile(path);
  let answer: T;
  try {
    answer = await request();
  } catch (error) {
    await file?.abandon();
    throw error;
  }
  await file?.write(answer.bootstrap).catch((error: unknown) => {
    throw new CliError(
      `could not write ${path}: ${(error as Error).message}; run \`radial cluster rotate-token ${name} --bootstrap-out FILE\` for a new token and manifest`,
    );
  });
  return answer;
}

/**
 * Shows a token the hub will never show again, and where its manifest is. In table output without
 * --bootstrap-out the human text goes to stderr and the manifest to stdout, so it can be piped
 * to kubectl or redirected to a file and is never just left on screen.
 */
export function showSecret(
  answer: { token: string; bootstrap: string },
  view: { summary: string; applyWhen: string; path?: string; format: OutputFormat },
): void {
  const { summary, applyWhen, path, format } = view;
  if (format !== "table") {
    process.stdout.write(serialize(answer, format));
    if (path) console.error(`bootstrap manifest written to ${path} (mode 0600)`);
    return;
  }
  const text = `${summary}\nAgent token (shown only this once; the hub keeps only its hash):\n  ${answer.token}\n`;
  if (path) {
    process.stdout.write(
      `${text}Bootstrap manifest (it holds the token) written to ${path}, mode 0600. ${applyWhen}:\n  kubectl apply --server-side -f ${path}\n`,
    );
    return;
  }
  process.stderr.write(
    `${text}The bootstrap manifest (it holds the token) follows on stdout. ${applyWhen}: pipe it to \`kubectl apply --server-side -f -\`, or save it and run \`kubectl apply --server-side -f FILE\`.\n`,
  );
  process.stdout.write(answer.bootstrap);
}

// ---- the commands ----

interface RegisterOptions {
  label?: Record<string, string>;
  annotation?: Record<string, string>;
  eksArn?: string;
  server?: string;
  bootstrapOut?: string;
  allowLoopback?: boolean;
}

async function register(name: string, options: RegisterOptions, command: Command): Promise<void> {
  const request = validated(
    RegisterClusterRequest,
    {
      name,
      labels: options.label,
      annotations: options.annotation,
      eksClusterArn: options.eksArn,
      server: options.server,
      allowLoopbackHub: options.allowLoopback,
    },
    "cluster registration",
  );
  const { client, format } = connect(command);
  const answer = await fetchSecret(options.bootstrapOut, name, () => client.register(request));
  showSecret(answer, { summary: clusterTable([answer.cluster]), applyWhen: "Install the agent", path: options.bootstrapOut, format });
}

async function list(options: { selector?: string; limit?: number }, command: Command): Promise<void> {
  const { client, format } = connect(command);
  const clusters = options.limit === undefined ? await client.listAll(options.selector) : await listPage(client, options.selector, options.limit);
  printClusters(
    clusters.sort((a, b) => a.name.localeCompare(b.name)),
    format,
  );
}

async function listPage(client: HubClient, selector: string | undefined, limit: number): Promise<Cluster[]> {
  const page = await client.listPage({ selector, limit });
  if (page.nextPageToken) console.error(`more clusters match than --limit ${limit}; drop --limit to list them all`);
  return page.items;
}

async function get(name: string, _options: unknown, command: Command): Promise<void> {
  const target = clusterName(name);
  const { client, format } = connect(command);
  printCluster(await client.get(target), format);
}

async function label(name: string, changes: Record<string, string | null>, options: { overwrite?: boolean }, command: Command): Promise<void> {
  const target = clusterName(name);
  const patch = validated(PatchClusterRequest, { labels: changes }, "label change");
  const { client, format } = connect(command);
  if (options.overwrite) {
    printCluster(await client.patch(target, patch), format);
    return;
  }
  // Checked against the version read, and sent with If-Match, so a concurrent change cannot slip past the check.
  const current = await client.get(target);
  const clashes = Object.entries(changes).filter(([key, value]) => value !== null && key in current.labels && current.labels[key] !== value);
  if (clashes.length > 0) {
    const which = clashes.map(([key]) => `'${key}' already has a value (${current.labels[key]})`).join("; ");
    throw new CliError(`${which}, and --overwrite is false; pass --overwrite to change it`);
  }
  printCluster(await client.patch(target, patch, current.resourceVersion), format);
}

async function remove(name: string, _options: unknown, command: Command): Promise<void> {
  const target = clusterName(name);
  const { client, format } = connect(command);
  // Read first so the output records what was deleted (its labels, to re-register it if need be).
  const cluster = await client.get(target);
  await client.delete(target);
  if (format !== "table") return void process.stdout.write(serialize(cluster, format));
  process.stdout.write(`deleted cluster ${name} (labels ${formatLabels(cluster.labels)}); its agent token no longer works\n`);
}

async function rotateToken(name: string, options: { bootstrapOut?: string; allowLoopback?: boolean }, command: Command): Promise<void> {
  const target = clusterName(name);
  const { client, format } = connect(command);
  const answer = await fetchSecret(options.bootstrapOut, target, () => client.rotateToken(target, { allowLoopbackHub: options.allowLoopback }));
  const summary = `Rotated the agent token of cluster ${target}; the previous token stays valid until ${answer.previousTokenValidUntil}.`;
  showSecret(answer, { summary, applyWhen: "Update the agent before then", path: options.bootstrapOut, format });
}

const REGISTER_HELP = `
The agent token is shown only this once (the hub keeps only its hash), and the bootstrap manifest
holds it, so the manifest is never just left on screen:
  with --bootstrap-out FILE  it is written to FILE (mode 0600) and the summary goes to stdout;
  without it                 the summary and token go to stderr and the manifest to stdout, for
                             \`radial cluster register NAME | kubectl apply --server-side -f -\` or \`> FILE\`;
  with -o json|yaml          the whole answer (cluster, token, bootstrap) goes to stdout.
A lost manifest is replaced, with a new token, by \`radial cluster rotate-token NAME --bootstrap-out FILE\`.`;

const ALLOW_LOOPBACK_HELP = "issue the manifest even though its hub URL is loopback (the hub's RADIAL_HUB_URL is unset): for an agent on the hub's own machine";

const LABEL_HELP = `
Examples:
  radial cluster label prod-eu-1 tier=web canary-      set tier, remove canary
  radial cluster label prod-eu-1 env=dev --overwrite   change a label that already has a value
As with kubectl, changing an existing value needs --overwrite; without it the change applies only
to the version of the cluster it was checked against.`;

export function registerClusterCommands(program: Command): void {
  const cluster = withHubOptions(program.command("cluster").description("register and manage the clusters of the fleet")).configureHelp({
    showGlobalOptions: true,
  });

  cluster
    .command("register")
    .description("register a cluster; prints its agent token once, and the bootstrap manifest that installs the agent")
    .argument("<name>", "cluster name (a DNS-1123 label)")
    .option("--label <key=value>", "a label; repeat for more", keyValue("label"))
    .option("--annotation <key=value>", "an annotation; repeat for more", keyValue("annotation"))
    .option("--eks-arn <arn>", "the EKS cluster ARN, to record its control plane")
    .option("--server <url>", "the cluster's API server URL (an Application's destination.server)")
    .option("--bootstrap-out <file>", "write the bootstrap manifest, which holds the token, to FILE (mode 0600)")
    .option("--allow-loopback", ALLOW_LOOPBACK_HELP)
    .addHelpText("after", REGISTER_HELP)
    .action(run(register));

  cluster
    .command("list")
    .description("list clusters, sorted by name")
    .option("--selector <selector>", "label selector, e.g. 'env=prod,tier in (web,api),!canary'", selector)
    .option("--limit <n>", `fetch one page of at most n (1-${CLUSTER_LIMITS.maxPageSize}) instead of every page`, pageSize)
    .action(run(list));

  cluster.command("get").description("show a cluster").argument("<name>", "cluster name").action(run(get));

  cluster
    .command("label")
    .description("set (key=value) or remove (key-) labels of a cluster")
    .argument("<name>", "cluster name")
    .argument("<changes...>", "key=value to set, key- to remove", labelChange)
    .option("--overwrite", "allow changing labels that already have a value")
    .addHelpText("after", LABEL_HELP)
    .action(run(label));

  cluster.command("delete").description("delete a cluster; its agent token stops working").argument("<name>", "cluster name").action(run(remove));

  cluster
    .command("rotate-token")
    .description("issue a new agent token; the previous one keeps working for a grace period")
    .argument("<name>", "cluster name")
    .option("--bootstrap-out <file>", "write the new bootstrap manifest, which holds the token, to FILE (mode 0600)")
    .option("--allow-loopback", ALLOW_LOOPBACK_HELP)
    .action(run(rotateToken));
}
