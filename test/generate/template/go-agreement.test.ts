// The template engine against Go itself: thousands of templates rendered by Radial and by Go's
// text/template with the functions Argo CD's ApplicationSet controller registers (the go-template
// engine, sprig v3.3.0 as Argo CD pins it), over parameters decoded as Argo CD decodes them. Every
// function Radial offers is called with every kind of argument (strings, numbers, booleans, nil,
// lists, maps, missing keys), and the language's actions run over the same data under each
// missingkey option. Both must render the same text, or both refuse.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderGoTemplate, type MissingKey } from "../../../lambdas/generate/template/index.js";
import { FUNCS } from "../../../lambdas/generate/template/funcs.js";
import { parse as parseYaml } from "yaml";
import { renderWithGo, type GoTemplateAnswer, type GoTemplateRequest } from "../../engines/go-template.js";
import { ACTIONS, DATA, ARGUMENTS, FEW_ARGUMENTS } from "./go-agreement-cases.js";

interface Case extends GoTemplateRequest {
  missingKey: MissingKey;
}

/** A deterministic choice of `count` items (a linear congruential walk), so every run tests the same cases. */
function sample<T>(items: T[], count: number, seed: number): T[] {
  if (items.length <= count) return items;
  let state = seed;
  const picked = new Set<number>();
  while (picked.size < count) {
    state = (state * 1103515245 + 12345) % 2147483648;
    picked.add(state % items.length);
  }
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

/** Argument lists for a function of `fixed` parameters, and one more when it takes a variadic tail. */
function argumentLists(name: string, fixed: number, variadic: boolean): string[][] {
  let seed = 7;
  for (let i = 0; i < name.length; i++) seed = (seed * 31 + name.charCodeAt(i)) % 2147483648;
  const lists: string[][] = [];
  const arities = variadic ? [fixed, fixed + 1, fixed + 2] : [fixed - 1, fixed, fixed + 1];
  for (const arity of arities.filter((n) => n >= 0)) {
    if (arity === 0) lists.push([]);
    else if (arity === 1) lists.push(...ARGUMENTS.map((a) => [a]));
    else if (arity === 2)
      lists.push(
        ...sample(
          ARGUMENTS.flatMap((a) => ARGUMENTS.map((b) => [a, b])),
          260,
          seed,
        ),
      );
    else
      lists.push(
        ...sample(
          ARGUMENTS.flatMap((a) => FEW_ARGUMENTS.flatMap((b) => FEW_ARGUMENTS.map((c) => [a, b, c, ...FEW_ARGUMENTS.slice(0, arity - 3)]))),
          160,
          seed,
        ),
      );
  }
  return lists;
}

/**
 * `set` puts a value into the map it is given: a map set into itself is a cycle, which Go's printing
 * follows until its stack overflows (no answer to compare).
 */
const makesCycle = (name: string, args: string[]) => name === "set" && args[0] !== undefined && args[0] === args[2];

/** Functions whose output Go leaves in map order, which Go randomizes: compared through sortAlpha in ACTIONS instead. */
const UNORDERED = new Set(["keys", "values"]);

/**
 * Where Radial answers otherwise on purpose, each with its reason. Anything else that differs fails.
 */
const DELIBERATE: { why: string; applies: (c: Case, go: GoTemplateAnswer, ours: GoTemplateAnswer) => boolean }[] = [
  {
    why: "define, template and block are refused by name (an ApplicationSet field is one template; nothing there to define)",
    applies: (_c, _go, ours) => "error" in ours && ours.error.includes("is not supported by this template engine"),
  },
  {
    why: "complex constants (1i) and hexadecimal floating-point constants (0x1p4) are not supported: no ApplicationSet needs them",
    applies: (c, _go, ours) => "error" in ours && /\b(1i|0x1p4)\b/.test(c.template),
  },
  {
    why: "sprig cuts strings by bytes (trunc, substr, nospace): on multi-byte text Go leaves broken UTF-8, Radial cuts whole characters",
    applies: (c) => /^\{\{ (trunc|substr|nospace) /.test(c.template) && c.template.includes(".unicode"),
  },
  {
    why: "Radial has one integer type: kindOf says int64 for every integer, where Go says int for a constant or len",
    applies: (c, go, ours) =>
      c.template.includes("kindOf") && "output" in go && "output" in ours && go.output.replaceAll("int64", "int") === ours.output.replaceAll("int64", "int"),
  },
  {
    why: "toYaml quotes some strings otherwise (Go's emitter single-quotes '%s', Radial double-quotes): the same YAML value",
    applies: (c, go, ours) => c.template.includes("toYaml") && "output" in go && "output" in ours && sameYaml(go.output, ours.output),
  },
];

function sameYaml(a: string, b: string): boolean {
  try {
    return JSON.stringify(parseYaml(a)) === JSON.stringify(parseYaml(b));
  } catch {
    return false;
  }
}

function functionCases(): Case[] {
  const ordered = Object.entries(FUNCS).filter(([name]) => !UNORDERED.has(name));
  return ordered.flatMap(([name, spec]) =>
    argumentLists(name, spec.params.length, spec.variadic !== undefined)
      .filter((args) => !makesCycle(name, args))
      .map((args) => ({
        template: `{{ ${[name, ...args].join(" ")} }}`,
        data: DATA,
        missingKey: "default" as const,
      })),
  );
}

function actionCases(): Case[] {
  const keys: MissingKey[] = ["default", "invalid", "zero", "error"];
  return ACTIONS.flatMap((template) => keys.map((missingKey) => ({ template, data: DATA, missingKey, options: [`missingkey=${missingKey}`] })));
}

function radial(c: Case): GoTemplateAnswer {
  try {
    return { output: renderGoTemplate(c.template, structuredClone(c.data), { missingKey: c.missingKey }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const show = (a: GoTemplateAnswer) => ("output" in a ? JSON.stringify(a.output) : `error: ${a.error}`);

async function disagreements(cases: Case[]): Promise<string[]> {
  const go = await renderWithGo(cases);
  const found: string[] = [];
  cases.forEach((c, i) => {
    const [ours, theirs] = [radial(c), go[i]!];
    const agree = "output" in ours ? "output" in theirs && ours.output === theirs.output : "error" in theirs;
    if (!agree && !DELIBERATE.some((d) => d.applies(c, theirs, ours)))
      found.push(`${c.template} (missingkey=${c.missingKey})\n    Go:     ${show(theirs)}\n    Radial: ${show(ours)}`);
  });
  return found;
}

describe("the template engine agrees with Go's text/template and sprig", () => {
  it("every function, over every kind of argument", async () => {
    const cases = functionCases();
    assert.ok(cases.length > 20_000, `only ${cases.length} cases`);
    const found = await disagreements(cases);
    assert.deepEqual(found.slice(0, 40), [], `${found.length} of ${cases.length} templates disagree`);
  });

  it("every action (if, range, with, variables, define, block, trim markers, comments) under each missingkey option", async () => {
    const cases = actionCases();
    assert.ok(cases.length > 400, `only ${cases.length} cases`);
    const found = await disagreements(cases);
    assert.deepEqual(found.slice(0, 40), [], `${found.length} of ${cases.length} templates disagree`);
  });
});
