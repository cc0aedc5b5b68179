// What differs between Git and the live object, in the fields Git sets (see compare.ts), after the
// Application's ignoreDifferences, with the field manager that last wrote each differing field.
import type { KubeObject } from "../kube/object.js";
import { compareValue, isObject, type JsonObject } from "./compare.js";
import { compileIgnoreRules, type IgnoreDifference } from "./ignore.js";
import { managerOf, owns } from "./managed-fields.js";
import { formatPath, type FieldPath } from "./path.js";

export { IgnoreDifferenceError, type IgnoreDifference } from "./ignore.js";

/** One field Git sets whose live value differs (path as in path.ts), and who last wrote it live. */
export interface FieldDrift {
  path: string;
  manager?: string;
}

export interface ObjectDiff {
  drifted: boolean;
  fields: FieldDrift[];
}

/** Fields that are identity or the apiserver's bookkeeping, never configuration Git could drift from. */
const NOT_COMPARED = new Set(["apiVersion", "kind", "status"]);
/** Of metadata, only these are configuration. */
const METADATA_COMPARED = ["labels", "annotations"];

/** A Secret's stringData is write-only: the apiserver stores it base64-encoded in data, over data's value. */
function secretData(object: JsonObject): JsonObject {
  const stringData = object.stringData;
  if (!isObject(stringData)) return object;
  const data: JsonObject = isObject(object.data) ? { ...object.data } : {};
  for (const [key, value] of Object.entries(stringData)) if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  const { stringData: _, ...rest } = object;
  return { ...rest, data };
}

/**
 * Compares the object Git wants with the live one. Fields Git does not set are not drift, nor are
 * fields removed by a matching ignoreDifferences rule, nor live fields owned by one of its
 * managedFieldsManagers. Throws IgnoreDifferenceError for a rule Radial cannot apply (an
 * unsupported jqPathExpression, a malformed jsonPointer), whichever object it names.
 */
export function diffObject(desired: KubeObject, live: KubeObject, ignore: IgnoreDifference[]): ObjectDiff {
  const rules = compileIgnoreRules(ignore).filter((rule) => rule.matches(live));
  let want = structuredClone(desired) as unknown as JsonObject;
  const have = structuredClone(live) as unknown as JsonObject;
  for (const rule of rules) {
    rule.remove(want);
    rule.remove(have);
  }
  if (desired.kind === "Secret" && desired.apiVersion === "v1") want = secretData(want);

  const drifted: FieldPath[] = [];
  for (const [field, value] of Object.entries(want)) {
    if (NOT_COMPARED.has(field)) continue;
    if (field !== "metadata") compareValue(value, have[field], [{ field }], field, drifted);
    else if (isObject(value)) {
      const liveMetadata = isObject(have.metadata) ? have.metadata : {};
      for (const key of METADATA_COMPARED) compareValue(value[key] ?? null, liveMetadata[key], [{ field }, { field: key }], key, drifted);
    }
  }

  const managedFields = live.metadata.managedFields ?? [];
  const ignoredOwners = new Set(rules.flatMap((rule) => rule.managers));
  const fields = drifted
    .filter((path) => !managedFields.some((entry) => entry.manager !== undefined && ignoredOwners.has(entry.manager) && owns(entry.fieldsV1, path)))
    .map((path): FieldDrift => {
      const manager = managerOf(managedFields, path);
      return manager === undefined ? { path: formatPath(path) } : { path: formatPath(path), manager };
    });
  return { drifted: fields.length > 0, fields };
}
