/**
 * Users' own health checks, as the deploy branch delivers them (contract/health-customizations.ts),
 * chosen as Argo CD chooses (util/lua GetHealthScript): the script keyed by the object's exact
 * `<group>/<Kind>` (`<Kind>` for the core group), else one whose key matches it as a glob (Argo CD
 * takes any; Radial the first in key order, so the choice is stable). A user's script comes before
 * every built-in check, as in Argo CD.
 *
 * The agent holds one set at a time, the one of the deploy-branch commit it read last (one agent
 * serves one cluster, as one Argo CD reads one argocd-cm); scripts are compiled once per set.
 */
import type { HealthCustomizations } from "../../contract/health-customizations.js";
import { compileGlob } from "../../core/glob.js";
import { groupOf, type KubeObject } from "../kube/object.js";
import { conditionsHealth } from "./conditions.js";
import { LuaHealthScripts } from "./lua/vm.js";
import type { ResourceHealth } from "./resource-health.js";

/** Argo CD's override key of an object (util/lua GetConfigMapKey). */
export const overrideKeyOf = (object: KubeObject): string => {
  const group = groupOf(object.apiVersion);
  return group === "" ? object.kind : `${group}/${object.kind}`;
};

export class UserHealthChecks {
  private constructor(
    private readonly scripts: LuaHealthScripts,
    private readonly exact: ReadonlySet<string>,
    private readonly wildcards: readonly { key: string; pattern: RegExp }[],
    readonly genericConditions: boolean,
  ) {}

  static async load(customizations: HealthCustomizations): Promise<UserHealthChecks> {
    const { checks, genericConditions } = customizations.spec;
    const scripts = await LuaHealthScripts.compile(new Map(checks.map((check) => [check.groupKind, check.lua])));
    const wildcards: { key: string; pattern: RegExp }[] = [];
    for (const { groupKind } of [...checks].sort((a, b) => (a.groupKind < b.groupKind ? -1 : 1))) {
      if (!/[*?[{\\]/.test(groupKind)) continue;
      try {
        wildcards.push({ key: groupKind, pattern: compileGlob(groupKind) });
      } catch {
        // The hub refuses such a key; one on the branch anyway matches only itself.
      }
    }
    return new UserHealthChecks(scripts, new Set(checks.map((check) => check.groupKind)), wildcards, genericConditions);
  }

  /** The key of the user's script for the object, if one applies. */
  keyFor(object: KubeObject): string | undefined {
    const key = overrideKeyOf(object);
    if (this.exact.has(key)) return key;
    return this.wildcards.find((wildcard) => wildcard.pattern.test(key))?.key;
  }

  /** The health the user's script gives, or undefined when none applies. */
  assess(object: KubeObject): ResourceHealth | undefined {
    const key = this.keyFor(object);
    return key === undefined ? undefined : this.scripts.run(key, object);
  }

  /** The generic conditions check, when the user turned it on. */
  generic(object: KubeObject): ResourceHealth | undefined {
    return this.genericConditions ? conditionsHealth(object) : undefined;
  }

  close(): void {
    this.scripts.close();
  }
}

let active: { text: string; checks: UserHealthChecks } | undefined;

/** Makes `customizations` (none: the branch has no file) the set health is assessed with; a set equal to the current one is kept as compiled. */
export async function useHealthCustomizations(customizations: HealthCustomizations | undefined): Promise<void> {
  const text = customizations ? JSON.stringify(customizations) : "";
  if ((active?.text ?? "") === text) return;
  const checks = customizations ? await UserHealthChecks.load(customizations) : undefined;
  active?.checks.close();
  active = checks ? { text, checks } : undefined;
}

/** The set in use, if any. */
export const activeHealthChecks = (): UserHealthChecks | undefined => active?.checks;
