import { ApplicationSetError, type Params } from "../params.js";
import type { GeneratorContext } from "./context.js";
import { rejectUnknownFields } from "./fields.js";
import { isObject, parseYamlLikeGo } from "./values.js";

/** list.go: plain templates take string values (and a `values` map → `values.<k>`); goTemplate keeps elements as they are. */
export function listParams(list: Record<string, unknown>, context: GeneratorContext, field: string): Params[] {
  rejectUnknownFields(list, ["elements", "elementsYaml", "template"], field, "list");
  const elements = list.elements ?? [];
  if (!Array.isArray(elements)) throw new ApplicationSetError(`${field}.elements`, "must be a list");
  const out: Params[] = [];
  elements.forEach((element: unknown, index) => {
    const where = `${field}.elements[${index}]`;
    if (element === null) {
      out.push({});
      return;
    }
    if (!isObject(element)) throw new ApplicationSetError(where, "each element must be an object");
    if (context.goTemplate) {
      out.push(element);
      return;
    }
    // Null prototype: an element key is a parameter name, `__proto__` included.
    const params = Object.create(null) as Params;
    for (const [key, value] of Object.entries(element)) {
      if (key === "values") {
        if (!isObject(value)) throw new ApplicationSetError(`${where}.values`, "error parsing values map: must be a map of strings");
        for (const [k, v] of Object.entries(value)) {
          if (typeof v !== "string")
            throw new ApplicationSetError(`${where}.values.${k}`, "must be a string (without goTemplate, list values must be strings, as in Argo CD)");
          params[`values.${k}`] = v;
        }
      } else {
        if (typeof value !== "string")
          throw new ApplicationSetError(
            `${where}.${key}`,
            "must be a string (without goTemplate, list element values must be strings, as in Argo CD; quote numbers and booleans)",
          );
        params[key] = value;
      }
    }
    out.push(params);
  });
  const elementsYaml = list.elementsYaml;
  if (elementsYaml !== undefined && elementsYaml !== null && elementsYaml !== "") {
    if (typeof elementsYaml !== "string") throw new ApplicationSetError(`${field}.elementsYaml`, "must be a string of YAML");
    let parsed: unknown;
    try {
      parsed = parseYamlLikeGo(elementsYaml);
    } catch (error) {
      throw new ApplicationSetError(`${field}.elementsYaml`, `error unmarshalling elementsYaml: ${(error as Error).message}`);
    }
    if (parsed === null) parsed = [];
    if (!Array.isArray(parsed)) throw new ApplicationSetError(`${field}.elementsYaml`, "must be a YAML list of objects");
    parsed.forEach((item: unknown, index) => {
      if (item !== null && !isObject(item)) throw new ApplicationSetError(`${field}.elementsYaml[${index}]`, "each element must be an object");
      // Appended as parsed (nested), whatever the template style, as list.go does.
      out.push(item ?? {});
    });
  }
  return out;
}
