import type { LabelSelectorObject } from "../../../core/labels/selector.js";
import { ApplicationSetError } from "../params.js";
import { isObject } from "./values.js";

/**
 * A generator's label selector (metav1.LabelSelector) checked for shape, each fault named by its
 * field: matchLabels a map of strings, matchExpressions a list of { key, operator, values }.
 * What the keys, operators and values may be is for the caller: a cluster selector validates values
 * as label values, a post-selector does not.
 */
export function labelSelectorShape(raw: unknown, field: string): LabelSelectorObject {
  if (!isObject(raw)) throw new ApplicationSetError(field, "must be a label selector (matchLabels, matchExpressions)");
  for (const key of Object.keys(raw))
    if (key !== "matchLabels" && key !== "matchExpressions")
      throw new ApplicationSetError(`${field}.${key}`, "unknown selector field; a selector has matchLabels and matchExpressions");
  const matchLabels = raw.matchLabels ?? {};
  if (!isObject(matchLabels)) throw new ApplicationSetError(`${field}.matchLabels`, "must be a map of strings");
  for (const [key, value] of Object.entries(matchLabels))
    if (typeof value !== "string") throw new ApplicationSetError(`${field}.matchLabels.${key}`, "must be a string");
  const expressions = raw.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new ApplicationSetError(`${field}.matchExpressions`, "must be a list");
  return {
    matchLabels: matchLabels as Record<string, string>,
    matchExpressions: expressions.map((e: unknown, i) => expressionShape(e, `${field}.matchExpressions[${i}]`)),
  };
}

function expressionShape(expression: unknown, where: string): { key: string; operator: string; values: string[] } {
  if (!isObject(expression)) throw new ApplicationSetError(where, "must be an object with key, operator and values");
  for (const k of Object.keys(expression)) if (!["key", "operator", "values"].includes(k)) throw new ApplicationSetError(`${where}.${k}`, "unknown field");
  // A missing operator is Go's zero value, "", which the operator check then refuses by name.
  const { key, operator = "" } = expression;
  const values = expression.values ?? [];
  if (typeof key !== "string") throw new ApplicationSetError(`${where}.key`, "must be a string");
  if (typeof operator !== "string") throw new ApplicationSetError(`${where}.operator`, "must be one of In, NotIn, Exists, DoesNotExist");
  if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) throw new ApplicationSetError(`${where}.values`, "must be a list of strings");
  return { key, operator, values: values as string[] };
}
