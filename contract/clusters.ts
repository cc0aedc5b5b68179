import * as z from "zod";
import { labelKeyProblem, labelValueProblem } from "./labels.js";
import { ClusterName, Timestamp } from "./names.js";
import { RebuildSummary } from "./rebuild.js";
import { utf8Length, utf8String } from "./validation.js";

/**
 * Bounds on what one cluster carries, so a cluster item always fits DynamoDB's 400 KB (409,600
 * bytes, counted in UTF-8; a map costs 3 bytes plus 1 per entry, its keys included). Label keys and
 * values are ASCII by Kubernetes' rules (a key at most 253 + 1 + 63 = 317 bytes, a value 63); only
 * annotation values carry any text, so they are bounded in bytes:
 *   labels       64 × (317 + 63 + 1) + 3        =  24,387
 *   annotations  64 × (317 + 4,096 + 1) + 3     = 282,499
 *   server URL                                   =   2,048
 *   EKS record   AWS's own bounds: 50 tags × (128 + 256 characters, ≤ 4 bytes each) ≈ 76,800,
 *                plus ARN, subnets, groups, CIDRs and logging      <  10,000
 *   the rest     name, times, version, token hashes, attribute names <   1,000
 *   rebuild      the latest rebuild (rebuild.ts: reason, message, phases) < 5,000
 *   total                                                           < 401,734
 * PATCH adds keys a few at a time (a body is at most 64 KiB), so the count and byte bounds, not the
 * body limit, are what keep the item whole.
 */
export const CLUSTER_LIMITS = {
  maxLabels: 64,
  maxAnnotations: 64,
  /** In UTF-8 bytes. */
  maxAnnotationValueBytes: 4096,
  /** Request bodies larger than this are refused with 413 before they are parsed. */
  maxBodyBytes: 64 * 1024,
  maxPageSize: 500,
} as const;

/** Checks every key (and, for labels, every value) as Kubernetes would, naming the key at fault. */
function qualifiedKeys<V extends z.ZodType>(value: V, checkValue: boolean, max: number, what: string) {
  return z.record(z.string(), value).superRefine((entries, ctx) => {
    if (Object.keys(entries).length > max) ctx.addIssue({ code: "custom", message: `must have at most ${max} ${what}` });
    for (const [key, entry] of Object.entries(entries)) {
      const problem = labelKeyProblem(key) ?? (checkValue && typeof entry === "string" ? labelValueProblem(entry, key) : undefined);
      if (problem) ctx.addIssue({ code: "custom", message: problem, path: [key] });
    }
  });
}

const AnnotationValue = utf8String(CLUSTER_LIMITS.maxAnnotationValueBytes);
const Labels = qualifiedKeys(z.string(), true, CLUSTER_LIMITS.maxLabels, "labels");
const Annotations = qualifiedKeys(AnnotationValue, false, CLUSTER_LIMITS.maxAnnotations, "annotations");

/** The API server URL agents and Applications name a cluster by (`destination.server`). */
const ServerUrl = z
  .url({ protocol: /^https?$/, error: "must be an https:// (or http://) URL" })
  .max(2048)
  .refine((url) => utf8Length(url) <= 2048, { error: "must be at most 2048 bytes in UTF-8" });

export const EksClusterArn = z
  .string()
  .max(2048)
  .regex(
    /^arn:aws(-cn|-us-gov)?:eks:[a-z]{2}(-[a-z]+)+-\d:\d{12}:cluster\/[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/,
    "must be an EKS cluster ARN: arn:aws:eks:<region>:<12-digit account>:cluster/<name>",
  );

/** What Radial records of an EKS cluster: enough to show it, and to recreate its control plane. */
export const EksClusterInfo = z.strictObject({
  arn: z.string(),
  name: z.string(),
  region: z.string(),
  version: z.string().nullable(),
  endpoint: z.string().nullable(),
  status: z.string().nullable(),
  platformVersion: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  roleArn: z.string().nullable(),
  vpcConfig: z.strictObject({
    subnetIds: z.array(z.string()),
    securityGroupIds: z.array(z.string()),
    endpointPublicAccess: z.boolean().nullable(),
    endpointPrivateAccess: z.boolean().nullable(),
    publicAccessCidrs: z.array(z.string()),
  }),
  kubernetesNetworkConfig: z.strictObject({ serviceIpv4Cidr: z.string().nullable(), ipFamily: z.string().nullable() }),
  logging: z.array(z.strictObject({ types: z.array(z.string()), enabled: z.boolean() })),
  describedAt: Timestamp,
});

export const RegisterClusterRequest = z.strictObject({
  name: ClusterName,
  labels: Labels.optional(),
  annotations: Annotations.optional(),
  eksClusterArn: EksClusterArn.optional(),
  server: ServerUrl.optional(),
  /**
   * Issue the bootstrap manifest even though the hub URL it gives the agent is loopback
   * (RADIAL_HUB_URL unset on a hub listening on 127.0.0.1): for an agent on the hub's own machine.
   */
  allowLoopbackHub: z.boolean().optional(),
});

/** The optional body of POST /v1/clusters/{name}/token. */
export const RotateTokenRequest = z.strictObject({ allowLoopbackHub: z.boolean().optional() });

/** A JSON merge patch of labels and annotations: a value sets a key, null removes it. */
export const PatchClusterRequest = z.strictObject({
  labels: qualifiedKeys(z.string().nullable(), true, CLUSTER_LIMITS.maxLabels, "labels").optional(),
  annotations: qualifiedKeys(AnnotationValue.nullable(), false, CLUSTER_LIMITS.maxAnnotations, "annotations").optional(),
});

export const Cluster = z.strictObject({
  name: ClusterName,
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  server: z.string().nullable(),
  eks: EksClusterInfo.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** Changes on every write; send it back as `If-Match` to update only the version you read. */
  resourceVersion: z.string(),
  /** The latest rebuild (POST /v1/clusters/{name}/rebuild); absent when it was never rebuilt. */
  rebuild: RebuildSummary.optional(),
  /** When the agent's current token was issued (registration, rotation or rebuild); absent for clusters registered before the hub kept it. */
  tokenIssuedAt: Timestamp.optional(),
});

export const RegisterClusterResponse = z.strictObject({
  cluster: Cluster,
  /** Shown once: the hub keeps only its hash. */
  token: z.string(),
  /** Multi-document YAML; `kubectl apply -f` installs the agent. */
  bootstrap: z.string(),
});

export const RotateTokenResponse = z.strictObject({
  token: z.string(),
  bootstrap: z.string(),
  /** Until then the previous token still authenticates, so running agents can be updated. */
  previousTokenValidUntil: Timestamp,
});

export const ClusterList = z.strictObject({
  items: z.array(Cluster),
  /** Pass as `pageToken` for the next page; null on the last page. */
  nextPageToken: z.string().nullable(),
});

export type EksClusterInfo = z.infer<typeof EksClusterInfo>;
export type RegisterClusterRequest = z.infer<typeof RegisterClusterRequest>;
export type RotateTokenRequest = z.infer<typeof RotateTokenRequest>;
export type PatchClusterRequest = z.infer<typeof PatchClusterRequest>;
export type Cluster = z.infer<typeof Cluster>;
export type RegisterClusterResponse = z.infer<typeof RegisterClusterResponse>;
export type RotateTokenResponse = z.infer<typeof RotateTokenResponse>;
export type ClusterList = z.infer<typeof ClusterList>;
