/**
 * Users' own health checks, read from the fleet repo's `health/argocd-cm.yaml` as Argo CD reads its
 * argocd-cm (util/settings): `resource.customizations.health.<group>_<kind>` (`<kind>` for the core
 * group, `all` for every kind, glob wildcards allowed), `resource.customizations.useOpenLibs.<group>_<kind>`,
 * and the older `resource.customizations` block of `<group>/<kind>: {health.lua, health.lua.useOpenLibs}`,
 * whose entries the split keys override. Radial's own key `radial.health.genericConditions` turns on
 * the generic conditions check. Other argocd-cm keys are left alone; customization types Argo CD has
 * but that are not health (actions, ignoreDifferences...) are accepted and not used.
 *
 * Every script runs in the agents' one sandbox, which has what Argo CD gives with and without
 * `useOpenLibs` except os and io beyond time and date: the setting is checked and has no effect.
 */
import { parse as parseYaml } from "yaml";
import { HEALTH_CUSTOMIZATIONS_FILE, MAX_HEALTH_SCRIPT_BYTES, type HealthCustomizations } from "../../contract/health-customizations.js";
import { compileGlob } from "../../core/glob.js";
import { serialize } from "../../core/manifests/objects.js";
import { yamlErrorText } from "../../core/manifests/yaml-error.js";

/** Where the fleet repo keeps them. */
export const HEALTH_SETTINGS_FILE = "health/argocd-cm.yaml";

export { HEALTH_CUSTOMIZATIONS_FILE };

const PREFIX = "resource.customizations";
const GENERIC_KEY = "radial.health.genericConditions";
const TYPES = new Set(["health", "useOpenLibs", "actions", "ignoreDifferences", "ignoreResourceUpdates", "knownTypeFields"]);

/** A setting that cannot be read; `key` is the argocd-cm key (or block entry) at fault. */
export class HealthSettingsError extends Error {
  constructor(
    readonly key: string | undefined,
    message: string,
  ) {
    super(key === undefined ? message : `${key}: ${message}`);
  }
}

/** Go's strconv.ParseBool, as Argo CD reads useOpenLibs. */
function parseBool(key: string, value: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new HealthSettingsError(key, `${JSON.stringify(value)} is not a boolean`);
}

/** Argo CD's convertToOverrideKey: `<group>_<kind>` is `<group>/<kind>`, `<kind>` stays, `all` is every kind. */
function overrideKey(key: string, groupKind: string): string {
  const parts = groupKind.split("_");
  if (parts.length > 2 || groupKind === "")
    throw new HealthSettingsError(key, `the group and kind must read <group>_<kind> or <kind>, not ${JSON.stringify(groupKind)}`);
  const joined = parts.join("/");
  return joined === "all" ? "*/*" : joined;
}

function checkScript(key: string, groupKind: string, lua: unknown): string {
  if (typeof lua !== "string" || lua.trim() === "") throw new HealthSettingsError(key, "the health check must be a non-empty Lua script");
  if (Buffer.byteLength(lua) > MAX_HEALTH_SCRIPT_BYTES) throw new HealthSettingsError(key, `the script is over ${MAX_HEALTH_SCRIPT_BYTES} bytes`);
  try {
    compileGlob(groupKind);
  } catch (error) {
    throw new HealthSettingsError(key, `not a valid group/kind pattern: ${(error as Error).message}`);
  }
  return lua;
}

/** The `resource.customizations` block: group/kind → its health script. */
function blockScripts(text: string, scripts: Map<string, string>): void {
  let block: unknown;
  try {
    block = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new HealthSettingsError(PREFIX, `invalid YAML: ${yamlErrorText(error)}`);
  }
  if (block === null || block === undefined) return;
  if (typeof block !== "object" || Array.isArray(block)) throw new HealthSettingsError(PREFIX, "must be a map of <group>/<kind> to its customizations");
  for (const [groupKind, entry] of Object.entries(block as Record<string, unknown>)) {
    const key = `${PREFIX} ${groupKind}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new HealthSettingsError(key, "must be a map (health.lua, actions...)");
    const fields = entry as Record<string, unknown>;
    const openLibs = fields["health.lua.useOpenLibs"];
    if (openLibs !== undefined && typeof openLibs !== "boolean") throw new HealthSettingsError(`${key} health.lua.useOpenLibs`, "must be true or false");
    if (fields["health.lua"] !== undefined) scripts.set(groupKind, checkScript(`${key} health.lua`, groupKind, fields["health.lua"]));
  }
}

/** The ConfigMap's `data`, checked to be strings. */
function dataOf(document: unknown): Record<string, string> {
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new HealthSettingsError(undefined, "must be a ConfigMap (argocd-cm)");
  const { kind, data } = document as { kind?: unknown; data?: unknown };
  if (kind !== "ConfigMap") throw new HealthSettingsError("kind", `must be ConfigMap, not ${JSON.stringify(kind)}`);
  if (data === undefined || data === null) return {};
  if (typeof data !== "object" || Array.isArray(data)) throw new HealthSettingsError("data", "must be a map of keys to strings");
  for (const [key, value] of Object.entries(data)) if (typeof value !== "string") throw new HealthSettingsError(key, `must be a string, not ${typeof value}`);
  return data as Record<string, string>;
}

/** The health customizations of the fleet's argocd-cm text; throws HealthSettingsError naming the key at fault. */
export function parseHealthSettings(text: string): HealthCustomizations {
  let document: unknown;
  try {
    document = parseYaml(text, { version: "1.1", uniqueKeys: true });
  } catch (error) {
    throw new HealthSettingsError(undefined, `invalid YAML: ${yamlErrorText(error)}`);
  }
  const data = dataOf(document);
  const scripts = new Map<string, string>();
  if (data[PREFIX] !== undefined) blockScripts(data[PREFIX], scripts);
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(`${PREFIX}.`)) continue;
    const parts = key.split(".");
    if (parts.length < 4) continue; // as Argo CD: not a <type>.<group_kind> key
    const type = parts[2]!;
    const groupKind = overrideKey(key, parts.slice(3).join("."));
    if (!TYPES.has(type)) throw new HealthSettingsError(key, `resource customization type ${type} not supported`);
    if (type === "health") scripts.set(groupKind, checkScript(key, groupKind, value));
    else if (type === "useOpenLibs") parseBool(key, value);
  }
  const generic = data[GENERIC_KEY];
  const checks = [...scripts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([groupKind, lua]) => ({ groupKind, lua }));
  return {
    apiVersion: "radial.dev/v1alpha1",
    kind: "HealthCustomizations",
    spec: { checks, genericConditions: generic === undefined ? false : parseBool(GENERIC_KEY, generic) },
  };
}

/** The file each deploy branch gets. */
export const healthCustomizationsYaml = (customizations: HealthCustomizations): string => serialize(customizations);
