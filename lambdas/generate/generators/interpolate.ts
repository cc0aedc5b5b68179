import { ApplicationSetError, type Params } from "../params.js";
import { renderTemplate } from "../template/index.js";
import type { GeneratorContext } from "./context.js";
import { isObject } from "./values.js";

function isMissingKeyError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes("map has no entry for key") || message.includes("can't evaluate field");
}

/**
 * utils.RenderGeneratorParams: the matrix's second child is rendered with each param set of the
 * first, with the set's goTemplateOptions. The `values` of clusters and git generators are rendered
 * with the missingkey option forced to `error`, and a value that refers to a key the first child
 * lacks is left as written (it usually names the child's own params, rendered later).
 */
export function interpolateGenerator(generator: Record<string, unknown>, params: Params, context: GeneratorContext, field: string): Record<string, unknown> {
  const valuesOptions = context.goTemplate
    ? [...context.goTemplateOptions.filter((o) => !o.startsWith("missingkey=")), "missingkey=error"]
    : context.goTemplateOptions;
  const renderTree = (tree: unknown, where: string): unknown => {
    try {
      return renderTemplate(tree, params, { goTemplate: context.goTemplate, goTemplateOptions: context.goTemplateOptions });
    } catch (error) {
      throw new ApplicationSetError(where, `failed to interpolate the first generator's params: ${(error as Error).message}`);
    }
  };
  const walk = (gen: Record<string, unknown>, where: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(gen)) {
      if ((key === "clusters" || key === "git") && isObject(value)) {
        const { values, ...rest } = value;
        const renderedRest = renderTree(rest, `${where}.${key}`) as Record<string, unknown>;
        if (isObject(values)) {
          const renderedValues: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(values)) {
            if (typeof v !== "string") {
              renderedValues[k] = v;
              continue;
            }
            try {
              renderedValues[k] = renderTemplate(v, params, { goTemplate: context.goTemplate, goTemplateOptions: valuesOptions });
            } catch (error) {
              if (isMissingKeyError(error)) renderedValues[k] = v;
              else throw new ApplicationSetError(`${where}.${key}.values.${k}`, `failed to interpolate: ${(error as Error).message}`);
            }
          }
          out[key] = { ...renderedRest, values: renderedValues };
        } else {
          out[key] = values === undefined ? renderedRest : { ...renderedRest, values };
        }
      } else if ((key === "matrix" || key === "merge") && isObject(value) && Array.isArray(value.generators)) {
        const { generators, ...rest } = value;
        const children = (generators as unknown[]).map((child, i) => (isObject(child) ? walk(child, `${where}.${key}.generators[${i}]`) : child));
        out[key] = { ...(renderTree(rest, `${where}.${key}`) as Record<string, unknown>), generators: children };
      } else {
        out[key] = renderTree(value, `${where}.${key}`);
      }
    }
    return out;
  };
  return walk(generator, field);
}
