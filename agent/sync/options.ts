import type { Application } from "../../contract/application.js";
import type { KubeObject } from "../kube/object.js";

// Argo CD's annotations (gitops-engine pkg/sync/common/types.go), honoured as Argo CD does.
export const SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options";
export const COMPARE_OPTIONS_ANNOTATION = "argocd.argoproj.io/compare-options";
export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";
export const HOOK_ANNOTATION = "argocd.argoproj.io/hook";
export const HOOK_DELETE_POLICY_ANNOTATION = "argocd.argoproj.io/hook-delete-policy";
// Helm's, mapped as gitops-engine's pkg/sync/hook/helm maps them.
const HELM_HOOK_ANNOTATION = "helm.sh/hook";
const HELM_HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight";
const HELM_HOOK_DELETE_POLICY_ANNOTATION = "helm.sh/hook-delete-policy";
const HELM_HOOK_PHASES: Record<string, SyncPhase> = {
  "pre-install": "PreSync",
  "pre-upgrade": "PreSync",
  "post-install": "PostSync",
  "post-upgrade": "PostSync",
};
const HELM_DELETE_POLICIES: Record<string, HookDeletePolicy> = {
  "before-hook-creation": "BeforeHookCreation",
  "hook-succeeded": "HookSucceeded",
  "hook-failed": "HookFailed",
};

export const SYNC_PHASES = ["PreSync", "Sync", "PostSync", "SyncFail"] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];
export const HOOK_DELETE_POLICIES = ["HookSucceeded", "HookFailed", "BeforeHookCreation"] as const;
export type HookDeletePolicy = (typeof HOOK_DELETE_POLICIES)[number];
export type PropagationPolicy = "foreground" | "background" | "orphan";

/** What the annotations of one manifest ask of the sync. */
export interface ObjectOptions {
  wave: number;
  /** Set when the object is a hook: the phases it runs in and when it is deleted. */
  hook?: { phases: SyncPhase[]; deletePolicies: HookDeletePolicy[] };
  /** `hook: Skip`: the object is neither applied nor pruned. */
  skip: boolean;
  /** False for `Prune=false` (and `Prune=confirm`, which nobody can confirm here). */
  prune: boolean;
  /** False for `Delete=false`: kept when its application is deleted. */
  delete: boolean;
  pruneLast: boolean;
  /** `Replace=true|false`; unset leaves it to the Application. */
  replace?: boolean;
  /** `compare-options: IgnoreExtraneous`: left out of the application's sync status when extraneous. */
  ignoreExtraneous: boolean;
  /** Options accepted without effect, or not understood: reported, never silently dropped. */
  notes: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The values of a comma-separated annotation, trimmed, without empties or repeats (GetAnnotationCSVs). */
function csv(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

/** Options asking for what the agent always does: accepted, with a note saying why they change nothing. */
const ALWAYS: Record<string, string> = {
  "ServerSideApply=true": "the agent always applies server-side",
  "Force=true": "apply always forces field-manager conflicts; Replace=true does not delete and recreate",
  "Validate=false": "the apiserver validates every apply",
  "SkipDryRunOnMissingResource=true": "the agent does no dry run",
  "ApplyOutOfSyncOnly=true": "server-side apply of an unchanged object writes nothing",
  "RespectIgnoreDifferences=true": "the agent always keeps the live value of ignored fields",
  "FailOnSharedResource=true": "the agent never writes an object it does not track",
};
/** Options naming the behaviour the agent has anyway: accepted silently. */
const DEFAULTS = new Set(["ApplyOutOfSyncOnly=false", "Validate=true", "ClientSideApplyMigration=true", "ClientSideApplyMigration=false"]);

/** The note for an option the agent accepts without acting on it ("" for none); undefined when unknown. */
function acceptedNote(option: string): string | undefined {
  if (DEFAULTS.has(option)) return "";
  if (option === "ServerSideApply=false") return "ServerSideApply=false: ignored, the agent always applies server-side";
  const why = ALWAYS[option];
  return why === undefined ? undefined : `${option}: no effect, ${why}`;
}

export function objectOptions(object: KubeObject): Parsed<ObjectOptions> {
  const annotations = object.metadata.annotations ?? {};
  const options: ObjectOptions = { wave: 0, skip: false, prune: true, delete: true, pruneLast: false, ignoreExtraneous: false, notes: [] };

  const wave = annotations[SYNC_WAVE_ANNOTATION];
  if (wave !== undefined) {
    if (!/^\s*[-+]?\d+\s*$/.test(wave) || !Number.isSafeInteger(Number(wave))) {
      return { ok: false, error: `annotation ${SYNC_WAVE_ANNOTATION}: "${wave}" is not an integer` };
    }
    options.wave = Number(wave);
  } else {
    // syncwaves.Wave: helm's hook weight when it is an integer (strconv.Atoi), else 0.
    const weight = annotations[HELM_HOOK_WEIGHT_ANNOTATION];
    if (weight !== undefined && /^[-+]?\d+$/.test(weight) && Number.isSafeInteger(Number(weight))) options.wave = Number(weight);
  }

  for (const option of csv(annotations[SYNC_OPTIONS_ANNOTATION])) {
    switch (option) {
      case "Prune=false":
        options.prune = false;
        break;
      case "Prune=confirm":
        options.prune = false;
        options.notes.push("Prune=confirm: treated as Prune=false, the agent has nobody to ask for confirmation");
        break;
      case "Delete=false":
        options.delete = false;
        break;
      case "Delete=confirm":
        options.delete = false;
        options.notes.push("Delete=confirm: treated as Delete=false, the agent has nobody to ask for confirmation");
        break;
      case "PruneLast=true":
        options.pruneLast = true;
        break;
      case "Replace=true":
        options.replace = true;
        break;
      case "Replace=false":
        options.replace = false;
        break;
      default: {
        const note = acceptedNote(option);
        if (note === undefined) options.notes.push(`${SYNC_OPTIONS_ANNOTATION}: unknown option "${option}" ignored`);
        else if (note) options.notes.push(note);
      }
    }
  }

  for (const option of csv(annotations[COMPARE_OPTIONS_ANNOTATION])) {
    if (option === "IgnoreExtraneous") options.ignoreExtraneous = true;
    else options.notes.push(`${COMPARE_OPTIONS_ANNOTATION}: unknown option "${option}" ignored`);
  }

  if (annotations[HOOK_ANNOTATION] !== undefined) {
    const types = csv(annotations[HOOK_ANNOTATION]);
    for (const type of types) {
      if (type === "PostDelete") return { ok: false, error: `annotation ${HOOK_ANNOTATION}: PostDelete hooks are not supported by Radial` };
      if (type !== "Skip" && !(SYNC_PHASES as readonly string[]).includes(type)) {
        return { ok: false, error: `annotation ${HOOK_ANNOTATION}: unknown hook type "${type}" (PreSync, Sync, PostSync, SyncFail or Skip)` };
      }
    }
    // As gitops-engine's hook.Skip: Skip counts only when it is the only type given.
    if (types.length === 1 && types[0] === "Skip") options.skip = true;
    const phases = SYNC_PHASES.filter((phase) => types.includes(phase));
    if (phases.length > 0) {
      const deletePolicies: HookDeletePolicy[] = [];
      for (const policy of csv(annotations[HOOK_DELETE_POLICY_ANNOTATION])) {
        if (!(HOOK_DELETE_POLICIES as readonly string[]).includes(policy)) {
          return {
            ok: false,
            error: `annotation ${HOOK_DELETE_POLICY_ANNOTATION}: unknown policy "${policy}" (HookSucceeded, HookFailed or BeforeHookCreation)`,
          };
        }
        deletePolicies.push(policy as HookDeletePolicy);
      }
      for (const policy of csv(annotations[HELM_HOOK_DELETE_POLICY_ANNOTATION])) {
        const mapped = HELM_DELETE_POLICIES[policy];
        if (mapped && !deletePolicies.includes(mapped)) deletePolicies.push(mapped);
      }
      options.hook = { phases, deletePolicies: deletePolicies.length > 0 ? deletePolicies : ["BeforeHookCreation"] };
    }
  } else if (annotations[HELM_HOOK_ANNOTATION] !== undefined && annotations[HELM_HOOK_ANNOTATION] !== "crd-install") {
    options.hook = helmHook(annotations);
    if (!options.hook) options.skip = true;
  }
  return { ok: true, value: options };
}

/**
 * A helm hook as gitops-engine reads one (hook.IsHook, Types, DeletePolicies): pre-install and
 * pre-upgrade run in PreSync, post-install and post-upgrade in PostSync; any other helm hook
 * (test, pre-delete, ...) is a hook of no phase, neither applied nor pruned (undefined). Argo CD's
 * delete-policy annotation and helm's add up; unknown values are ignored, as there.
 */
function helmHook(annotations: Record<string, string>): ObjectOptions["hook"] {
  const types = csv(annotations[HELM_HOOK_ANNOTATION]).flatMap((type) => HELM_HOOK_PHASES[type] ?? []);
  const phases = SYNC_PHASES.filter((phase) => types.includes(phase));
  if (phases.length === 0) return undefined;
  const deletePolicies = [
    ...csv(annotations[HOOK_DELETE_POLICY_ANNOTATION]).filter((p): p is HookDeletePolicy => (HOOK_DELETE_POLICIES as readonly string[]).includes(p)),
    ...csv(annotations[HELM_HOOK_DELETE_POLICY_ANNOTATION]).flatMap((p) => HELM_DELETE_POLICIES[p] ?? []),
  ];
  return { phases, deletePolicies: deletePolicies.length > 0 ? [...new Set(deletePolicies)] : ["BeforeHookCreation"] };
}

/** What the Application's syncPolicy asks of every sync of it. */
export interface ApplicationOptions {
  /** `automated.prune`: delete owned objects that left Git. */
  prune: boolean;
  /** `automated.selfHeal`: undo manual changes as soon as they are seen. */
  selfHeal: boolean;
  /** `automated.allowEmpty`: an empty manifest list may prune everything. */
  allowEmpty: boolean;
  createNamespace: boolean;
  pruneLast: boolean;
  replace: boolean;
  propagationPolicy: PropagationPolicy;
  notes: string[];
}

export function applicationOptions(application: Application): ApplicationOptions {
  const policy = application.spec.syncPolicy;
  const automated = policy?.automated && policy.automated.enabled !== false ? policy.automated : undefined;
  const options: ApplicationOptions = {
    prune: automated?.prune === true,
    selfHeal: automated?.selfHeal === true,
    allowEmpty: automated?.allowEmpty === true,
    createNamespace: false,
    pruneLast: false,
    replace: false,
    propagationPolicy: "foreground",
    notes: [],
  };
  for (const option of new Set(policy?.syncOptions ?? [])) {
    const propagation = /^PrunePropagationPolicy=(foreground|background|orphan)$/.exec(option);
    if (propagation) options.propagationPolicy = propagation[1] as PropagationPolicy;
    else if (option === "CreateNamespace=true") options.createNamespace = true;
    else if (option === "CreateNamespace=false") options.createNamespace = false;
    else if (option === "PruneLast=true") options.pruneLast = true;
    else if (option === "Replace=true") options.replace = true;
    else if (option === "Replace=false") options.replace = false;
    else {
      const note = acceptedNote(option);
      if (note === undefined) options.notes.push(`syncPolicy.syncOptions: unknown option "${option}" ignored`);
      else if (note) options.notes.push(note);
    }
  }
  return options;
}
