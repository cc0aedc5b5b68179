// Fields several generators share: unknown-field checks, string maps, the `values` map, child lists.
import { ApplicationSetError, type Params } from "../params.js";
import { renderTemplate } from "../template/index.js";
import type { GeneratorContext } from "./context.js";
import { isObject } from "./values.js";

export function rejectUnknownFields(object: Record<string, unknown>, allowed: string[], field: string, what: string) {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new ApplicationSetError(`${field}.${key}`, `unknown field of the ${what} generator (it has ${allowed.join(", ")})`);
  }
}

function render(text: string, params: Params, context: GeneratorContext, goTemplateOptions = context.goTemplateOptions): string {
  return renderTemplate(text, params, { goTemplate: context.goTemplate, goTemplateOptions }) as string;
}

export function stringMap(raw: unknown, field: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new ApplicationSetError(field, "must be a map of strings");
  for (const [k, v] of Object.entries(raw)) if (typeof v !== "string") throw new ApplicationSetError(`${field}.${k}`, "must be a string");
  return raw as Record<string, string>;
}

/**
 * value_interpolation.go appendTemplatedValues: every `values` entry is rendered with the
 * params generated so far (not with the other values) and added as `values.<k>` (plain) or
 * under `values` (goTemplate).
 */
export function appendValues(params: Params, values: Record<string, string>, context: GeneratorContext, field: string): Params {
  const entries = Object.entries(values);
  if (entries.length === 0) return params;
  const rendered: Record<string, string> = {};
  for (const [k, v] of entries) {
    try {
      rendered[k] = render(v, params, context);
    } catch (error) {
      throw new ApplicationSetError(`${field}.values.${k}`, `failed to render: ${(error as Error).message}`);
    }
  }
  if (context.goTemplate) return { ...params, values: rendered };
  const out = { ...params };
  for (const [k, v] of Object.entries(rendered)) out[`values.${k}`] = v;
  return out;
}

/** The children of a matrix or merge generator. */
export function childGenerators(spec: Record<string, unknown>, field: string): unknown[] {
  const generators = spec.generators;
  if (!Array.isArray(generators)) throw new ApplicationSetError(`${field}.generators`, "must be a list of generators");
  return generators;
}
