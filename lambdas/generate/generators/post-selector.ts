import { labelKeyProblem } from "../../../contract/labels.js";
import { matches, type Requirement, type Selector } from "../../../core/labels/selector.js";
import { ApplicationSetError, type Params } from "../params.js";
import { labelSelectorShape } from "./selector-shape.js";
import { flattenToStrings } from "./values.js";

/**
 * The `selector` of a generator as Argo's utils.LabelSelectorAsSelector reads it: keys must be
 * qualified names, but values are NOT validated as label values (so `server` URLs can be
 * matched). Returns undefined when there is no selector (nothing is filtered).
 */
export function parsePostSelector(raw: unknown, field: string): Selector | undefined {
  if (raw === undefined || raw === null) return undefined;
  const shape = labelSelectorShape(raw, field);
  const selector: Requirement[] = [];
  for (const [key, value] of Object.entries(shape.matchLabels ?? {})) {
    const problem = labelKeyProblem(key);
    if (problem) throw new ApplicationSetError(`${field}.matchLabels`, problem);
    selector.push({ key, operator: "In", values: [value] });
  }
  (shape.matchExpressions ?? []).forEach(({ key, operator, values = [] }, index) => {
    const where = `${field}.matchExpressions[${index}]`;
    const problem = labelKeyProblem(key);
    if (problem) throw new ApplicationSetError(`${where}.key`, problem);
    switch (operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) throw new ApplicationSetError(`${where}.values`, `for 'in', 'notin' operators, values set can't be empty`);
        selector.push({ key, operator, values });
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) throw new ApplicationSetError(`${where}.values`, "values set must be empty for exists and does not exist");
        selector.push({ key, operator });
        break;
      default:
        throw new ApplicationSetError(`${where}.operator`, `"${operator}" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`);
    }
  });
  return selector;
}

/** Keeps the param sets whose flattened form (`metadata.labels.env`, `values.x`, `path[0]`…) matches, as Argo's Transform does. */
export function applyPostSelector(selector: Selector | undefined, paramSets: Params[]): Params[] {
  if (selector === undefined) return paramSets;
  return paramSets.filter((params) => matches(selector, flattenToStrings(params)));
}
