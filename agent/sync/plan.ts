import { groupOf, type KubeObject } from "../kube/object.js";
import { objectOptions, type ObjectOptions, type SyncPhase } from "./options.js";

/**
 * Argo CD's order of kinds within a wave (gitops-engine sync_tasks.go `kindOrder`, from Helm's
 * kind sorter). Kinds not listed, custom resources among them, come after all of these.
 */
const KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];
const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

function kindRank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index < 0 ? 0 : index - KIND_ORDER.length;
}

export interface Task {
  /** apply: a resource from Git; hook: a hook run in `phase`; prune: an owned live object that left Git. */
  type: "apply" | "hook" | "prune";
  phase: SyncPhase;
  wave: number;
  /** The desired object (apply, hook) or the live one (prune). */
  object: KubeObject;
  options: ObjectOptions;
}

/** Tasks of one phase and wave: run together, then waited for before the next step. */
export interface Step {
  phase: SyncPhase;
  wave: number;
  tasks: Task[];
}

export interface PlanInput {
  /** The application's manifests, namespaces already resolved. */
  desired: KubeObject[];
  /** Live objects the application owns that are not in `desired`. */
  extraneous: KubeObject[];
  /** The Application's `PruneLast=true`. */
  pruneLast: boolean;
  /** Names hooks that have only `generateName`, as Argo CD does. */
  revision: string;
  startedAt: Date;
}

export interface Plan {
  /** PreSync, Sync, PostSync steps in order; prunes sit in the Sync phase. */
  steps: Step[];
  /** SyncFail hooks, run (in order) only when the sync fails. */
  syncFail: Task[];
  /** Manifests (or extraneous objects) whose annotations are invalid: the sync must not start. */
  errors: { object: KubeObject; error: string }[];
  /** Objects marked `hook: Skip`: neither applied nor pruned. */
  skipped: KubeObject[];
}

function compareTasks(a: Task, b: Task): number {
  return (
    PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] ||
    a.wave - b.wave ||
    kindRank(a.object.kind) - kindRank(b.object.kind) ||
    (a.object.metadata.name < b.object.metadata.name ? -1 : a.object.metadata.name > b.object.metadata.name ? 1 : 0)
  );
}

/** A hook with only generateName gets Argo CD's deterministic name: `<generateName><rev7>-<phase>-<unix>`. */
function namedHook(object: KubeObject, phase: SyncPhase, input: PlanInput): KubeObject {
  if (object.metadata.name) return object;
  const generateName = typeof object.metadata.generateName === "string" ? object.metadata.generateName : "";
  const { generateName: _dropped, ...metadata } = object.metadata;
  const suffix = `${input.revision.slice(0, 7)}-${phase}-${Math.floor(input.startedAt.getTime() / 1000)}`.toLowerCase();
  return { ...object, metadata: { ...metadata, name: `${generateName}${suffix}` } };
}

/**
 * Moves each dependency (a Namespace, a CRD) before the first task that needs it, into that task's
 * phase and wave, as gitops-engine's `adjustDeps`: a Namespace in wave 5 still comes before a
 * ConfigMap of wave 0 that lives in it.
 */
function adjustDeps(tasks: Task[], isDep: (o: KubeObject) => string | undefined, needs: (o: KubeObject) => string | undefined): void {
  const firstUser = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    if (task.type === "prune") continue;
    const depKey = isDep(task.object);
    if (depKey !== undefined) {
      const index = firstUser.get(depKey);
      if (index === undefined) continue;
      const user = tasks[index]!;
      tasks.splice(i, 1);
      tasks.splice(index, 0, { ...task, phase: user.phase, wave: user.wave });
      for (const [key, first] of firstUser) if (first >= index) firstUser.set(key, first + 1);
    } else {
      const key = needs(task.object);
      if (key !== undefined && !firstUser.has(key)) firstUser.set(key, i);
    }
  }
}

function crdKey(object: KubeObject): string | undefined {
  if (object.kind !== "CustomResourceDefinition" || groupOf(object.apiVersion) !== "apiextensions.k8s.io") return undefined;
  const spec = object.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
  return typeof spec?.group === "string" && typeof spec.names?.kind === "string" ? `${spec.group}/${spec.names.kind}` : undefined;
}

/**
 * Orders one application's sync as gitops-engine does: by phase, wave, kind and name; hooks in
 * each of their phases; prunes in the Sync phase with their waves mirrored (what was created
 * last goes first), PruneLast ones after the last wave; Namespaces and CRDs before their users.
 */
export function planSync(input: PlanInput): Plan {
  const plan: Plan = { steps: [], syncFail: [], errors: [], skipped: [] };
  const tasks: Task[] = [];

  for (const object of input.desired) {
    const parsed = objectOptions(object);
    if (!parsed.ok) {
      plan.errors.push({ object, error: parsed.error });
      continue;
    }
    const options = parsed.value;
    if (options.skip) plan.skipped.push(object);
    else if (options.hook) {
      for (const phase of options.hook.phases) tasks.push({ type: "hook", phase, wave: options.wave, object: namedHook(object, phase, input), options });
    } else tasks.push({ type: "apply", phase: "Sync", wave: options.wave, object, options });
  }

  const prunes: Task[] = [];
  for (const object of input.extraneous) {
    const parsed = objectOptions(object);
    if (!parsed.ok) plan.errors.push({ object, error: parsed.error });
    // Live hooks and skipped objects are never pruned (gitops-engine skips them as garbage tasks).
    else if (!parsed.value.hook && !parsed.value.skip) prunes.push({ type: "prune", phase: "Sync", wave: parsed.value.wave, object, options: parsed.value });
  }
  const pruneWaves = [...new Set(prunes.map((task) => task.wave))].sort((a, b) => a - b);
  const mirrored = new Map(pruneWaves.map((wave, i) => [wave, pruneWaves[pruneWaves.length - 1 - i]!]));
  for (const task of prunes) task.wave = mirrored.get(task.wave)!;
  tasks.push(...prunes);
  const lastSyncWave = Math.max(0, ...tasks.filter((task) => task.phase === "Sync").map((task) => task.wave)) + 1;
  for (const task of prunes) if (input.pruneLast || task.options.pruneLast) task.wave = lastSyncWave;

  tasks.sort(compareTasks);
  adjustDeps(
    tasks,
    (o) => (o.kind === "Namespace" && groupOf(o.apiVersion) === "" ? o.metadata.name : undefined),
    (o) => o.metadata.namespace || undefined,
  );
  adjustDeps(tasks, crdKey, (o) => `${groupOf(o.apiVersion)}/${o.kind}`);

  for (const task of tasks) {
    if (task.phase === "SyncFail") {
      plan.syncFail.push(task);
      continue;
    }
    const last = plan.steps.at(-1);
    if (last?.phase === task.phase && last.wave === task.wave) last.tasks.push(task);
    else plan.steps.push({ phase: task.phase, wave: task.wave, tasks: [task] });
  }
  return plan;
}
