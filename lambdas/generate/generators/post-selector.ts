import { labelKeyProblem } from "../../../contract/labels.js";
import { matches, type Requirement, type Selector } from "../../../core/labels/selector.js";
import { ApplicationSetError, type Params } from "../params.js";
import { flattenToStrings, isObject } from "./values.js";

/**
 * The `selector` of a generator as Argo's utils.LabelSelectorAsSelector reads it: keys must be
 * qualified names, but values are NOT validated as label values (so `server` URLs can be
 * matched). Returns undefined when there is no selector (nothing is filtered).
 */
export function parsePostSelector(raw: unknown, field: string): Selector | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new ApplicationSetError(field, "must be a label selector (matchLabels, matchExpressions)");
  const selector: Requirement[] = [];
  for (const key of Object.keys(raw)) {
    if (key !== "matchLabels" && key !== "matchExpressions")
      throw new ApplicationSetError(`${field}.${key}`, "unknown selector field; a selector has matchLabels and matchExpressions");
  }
  const matchLabels = raw.matchLabels ?? {};
  if (!isObject(matchLabels)) throw new ApplicationSetError(`${field}.matchLabels`, "must be a map of strings");
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== "string") throw new ApplicationSetError(`${field}.matchLabels.${key}`, "must be a string");
    const problem = labelKeyProblem(key);
    if (problem) throw new ApplicationSetError(`${field}.matchLabels`, problem);
    selector.push({ key, operator: "In", values: [value] });
  }
  const expressions = raw.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new ApplicationSetError(`${field}.matchExpressions`, "must be a list");
  expressions.forEach((expression: unknown, index) => {
    const where = `${field}.matchExpressions[${index}]`;
    if (!isObject(expression)) throw new ApplicationSetError(where, "must be an object with key, operator and values");
    for (const k of Object.keys(expression)) if (!["key", "operator", "values"].includes(k)) throw new ApplicationSetError(`${where}.${k}`, "unknown field");
    const { key, operator } = expression;
    const values = expression.values ?? [];
    if (typeof key !== "string") throw new ApplicationSetError(`${where}.key`, "must be a string");
    const problem = labelKeyProblem(key);
    if (problem) throw new ApplicationSetError(`${where}.key`, problem);
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) throw new ApplicationSetError(`${where}.values`, "must be a list of strings");
    switch (operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) throw new ApplicationSetError(`${where}.values`, `for 'in', 'notin' operators, values set can't be empty`);
        selector.push({ key, operator, values: values as string[] });
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) throw new ApplicationSetError(`${where}.values`, "values set must be empty for exists and does not exist");
        selector.push({ key, operator });
        break;
      default:
        throw new ApplicationSetError(`${where}.operator`, `"${String(operator)}" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`);
    }
  });
  return selector;
}

/** Keeps the param sets whose flattened form (`metadata.labels.env`, `values.x`, `path[0]`…) matches, as Argo's Transform does. */
export function applyPostSelector(selector: Selector | undefined, paramSets: Params[]): Params[] {
  if (selector === undefined) return paramSets;
  return paramSets.filter((params) => matches(selector, flattenToStrings(params)));
}
