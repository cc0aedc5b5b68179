// Where the apiserver is and who we are to it: from a kubeconfig file, or in-cluster from the
// ServiceAccount the pod runs as. Only static credentials; credential plugins are refused.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import * as z from "zod";
import { yamlErrorText } from "../../core/manifests/yaml-error.js";

/** How to reach one apiserver. Certificates and keys are PEM text. */
export interface KubeConnection {
  server: string;
  caData?: string;
  clientCertData?: string;
  clientKeyData?: string;
  token?: string;
  /** A file holding the bearer token, re-read by the client as it rotates (bound ServiceAccount tokens). */
  tokenFile?: string;
  insecureSkipTLSVerify?: boolean;
  /** The context's namespace, or the ServiceAccount's in-cluster: where namespaced objects without one go. */
  namespace?: string;
}

export interface LoadKubeConfigOptions {
  /** Path of a kubeconfig file; without it, the in-cluster ServiceAccount is used. */
  kubeconfig?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  /** Where the ServiceAccount's token, ca.crt and namespace are mounted in-cluster. */
  serviceAccountDir?: string;
}

export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

const Cluster = z.object({
  server: z.url({ protocol: /^https?$/, error: "must be the https:// (or http://) URL of the apiserver" }),
  "certificate-authority": z.string().optional(),
  "certificate-authority-data": z.string().optional(),
  "insecure-skip-tls-verify": z.boolean().optional(),
  "proxy-url": z.string().optional(),
});

const User = z.object({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  "client-certificate": z.string().optional(),
  "client-certificate-data": z.string().optional(),
  "client-key": z.string().optional(),
  "client-key-data": z.string().optional(),
  username: z.string().optional(),
  exec: z.unknown().optional(),
  "auth-provider": z.unknown().optional(),
});

const KubeConfig = z.object({
  "current-context": z.string().optional(),
  clusters: z.array(z.object({ name: z.string().min(1), cluster: Cluster })).default([]),
  users: z.array(z.object({ name: z.string().min(1), user: User.nullable() })).default([]),
  contexts: z
    .array(z.object({ name: z.string().min(1), context: z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() }) }))
    .default([]),
});

const USE_INSTEAD =
  "use a static credential instead, a ServiceAccount token (`token` or `tokenFile`, e.g. from `kubectl create token`) or a client certificate, or run the agent in the cluster";

export async function loadKubeConfig(options: LoadKubeConfigOptions = {}): Promise<KubeConnection> {
  return options.kubeconfig === undefined ? inCluster(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR) : fromFile(options.kubeconfig, options.context);
}

async function fromFile(file: string, contextName: string | undefined): Promise<KubeConnection> {
  const fail = (what: string): never => {
    throw new KubeConfigError(`kubeconfig ${file}: ${what}`);
  };
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    fail(`cannot read it: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    fail(`not valid YAML: ${yamlErrorText(error)}`);
  }
  const parsed = KubeConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${fieldPath(raw, issue?.path ?? [])}: ${issue?.message}`);
  }
  const config = parsed.data;

  const name = contextName ?? config["current-context"] ?? fail("no context given and no current-context set");
  const context = config.contexts.find((c) => c.name === name)?.context ?? fail(`contexts: no context named "${name}"`);
  const clusterAt = `clusters[${context.cluster}].cluster`;
  const cluster =
    config.clusters.find((c) => c.name === context.cluster)?.cluster ?? fail(`clusters: no cluster named "${context.cluster}" (context "${name}")`);
  if (cluster["proxy-url"]) fail(`${clusterAt}.proxy-url: proxies are not supported; reach the apiserver directly`);

  const base = dirname(resolve(file));
  const readPem = async (field: string, path: string): Promise<string> => {
    const full = resolve(base, path);
    try {
      return await readFile(full, "utf8");
    } catch (error) {
      return fail(`${field}: cannot read ${full}: ${(error as Error).message}`);
    }
  };
  const decodePem = (field: string, data: string): string => {
    const pem = Buffer.from(data, "base64").toString("utf8");
    return pem.includes("-----BEGIN ") ? pem : fail(`${field}: not the base64 of a PEM block`);
  };
  /** A credential given inline (`<field>-data`, base64) or as a file path (`<field>`). */
  const pemOf = async (at: string, entry: Record<string, unknown>, field: string): Promise<string | undefined> => {
    const data = entry[`${field}-data`];
    if (typeof data === "string" && data) return decodePem(`${at}.${field}-data`, data);
    const path = entry[field];
    return typeof path === "string" && path ? readPem(`${at}.${field}`, path) : undefined;
  };

  const connection: KubeConnection = { server: cluster.server.replace(/\/+$/, "") };
  const ca = await pemOf(clusterAt, cluster, "certificate-authority");
  if (ca) connection.caData = ca;
  if (cluster["insecure-skip-tls-verify"]) connection.insecureSkipTLSVerify = true;
  if (context.namespace) connection.namespace = context.namespace;

  if (context.user !== undefined) {
    const userAt = `users[${context.user}].user`;
    const users = config.users.find((u) => u.name === context.user) ?? fail(`users: no user named "${context.user}" (context "${name}")`);
    const user = users.user ?? {};
    if (user.exec !== undefined) fail(`${userAt}.exec: exec credential plugins (such as \`aws eks get-token\`) are not supported by the agent; ${USE_INSTEAD}`);
    if (user["auth-provider"] !== undefined) fail(`${userAt}.auth-provider: auth-provider plugins are not supported by the agent; ${USE_INSTEAD}`);
    if (user.username !== undefined) fail(`${userAt}.username: basic authentication is not supported by the agent; ${USE_INSTEAD}`);
    if (user.token) connection.token = user.token;
    else if (user.tokenFile) connection.tokenFile = resolve(base, user.tokenFile);
    const cert = await pemOf(userAt, user, "client-certificate");
    const key = await pemOf(userAt, user, "client-key");
    if ((cert === undefined) !== (key === undefined)) fail(`${userAt}: client-certificate and client-key go together, one is missing`);
    if (cert && key) Object.assign(connection, { clientCertData: cert, clientKeyData: key });
  }
  return connection;
}

/** The path of a zod issue with list entries shown by name, as users know them: `users[admin].user.exec`. */
function fieldPath(raw: unknown, path: PropertyKey[]): string {
  let at = "";
  let node = raw;
  for (const key of path) {
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
    const name = typeof key === "number" ? (node as { name?: unknown } | undefined)?.name : undefined;
    at += typeof key === "number" ? `[${typeof name === "string" ? name : key}]` : `${at ? "." : ""}${String(key)}`;
  }
  return at || "(top level)";
}

async function inCluster(dir: string): Promise<KubeConnection> {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError(
      "no kubeconfig given and not running in a cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set): pass a kubeconfig file",
    );
  }
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(resolve(dir, file), "utf8");
    } catch (error) {
      throw new KubeConfigError(`in-cluster: cannot read the ServiceAccount's ${file} at ${resolve(dir, file)}: ${(error as Error).message}`);
    }
  };
  // One after the other, so the first missing file is always the one named.
  const caData = await read("ca.crt");
  const namespace = await read("namespace");
  // Read once now so a missing token fails here, not at the first request; the client re-reads it.
  await read("token");
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    caData,
    tokenFile: resolve(dir, "token"),
    namespace: namespace.trim(),
  };
}
