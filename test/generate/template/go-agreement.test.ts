// The template engine against Go itself: thousands of templates rendered by Radial and by Go's
// text/template with the functions Argo CD's ApplicationSet controller registers (the go-template
// engine, sprig v3.3.0 as Argo CD pins it), over parameters decoded as Argo CD decodes them. Every
// function Radial offers is called with every kind of argument (strings, numbers, booleans, nil,
// lists, maps, missing keys), and the language's actions run over the same data under each
// missingkey option. Both must render the same text, or both refuse with the same message (Argo CD
// users read Go's errors in their ApplicationSet's status, and search for them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderGoTemplate } from "../../../lambdas/generate/template/index.js";
import { parse as parseYaml } from "yaml";
import type { GoTemplateAnswer } from "../../engines/go-template.js";
import type { Case } from "./go-agreement-cases.js";
import { goAnswers, type Answered } from "./go-answers.js";

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

/** Where both refuse and only the words differ, each with its reason. */
const WORDED_OTHERWISE: { why: string; applies: (ours: string, go: string) => boolean }[] = [
  {
    why: "mustFromJson's and fromYaml's parse errors are worded by the JavaScript JSON and YAML parsers, not Go's encoding/json and go-yaml",
    applies: (ours) => /error calling (mustFromJson|fromYaml|fromYamlArray): /.test(ours),
  },
  {
    why: "one integer type and one nil: a byte of a string is an int (Go: uint8), and len of a nil constant is len of nil (Go: a zero reflect.Value)",
    applies: (_ours, go) =>
      go.endsWith("can't index item of type uint8") || go.endsWith("error calling len: reflect: call of reflect.Value.Type on zero Value"),
  },
];

function sameYaml(a: string, b: string): boolean {
  try {
    return JSON.stringify(parseYaml(a)) === JSON.stringify(parseYaml(b));
  } catch {
    return false;
  }
}

function radial(c: Case): GoTemplateAnswer {
  try {
    return { output: renderGoTemplate(c.template, structuredClone(c.data), { missingKey: c.missingKey }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const show = (a: GoTemplateAnswer) => ("output" in a ? JSON.stringify(a.output) : `error: ${a.error}`);

function disagreements(answered: Answered): string[] {
  const found: string[] = [];
  for (const { case: c, answer: theirs } of answered) {
    const ours = radial(c);
    const agree =
      "output" in ours
        ? "output" in theirs && ours.output === theirs.output
        : "error" in theirs && (ours.error === theirs.error || WORDED_OTHERWISE.some((w) => w.applies(ours.error, theirs.error)));
    if (!agree && !DELIBERATE.some((d) => d.applies(c, theirs, ours)))
      found.push(`${c.template} (missingkey=${c.missingKey})\n    Go:     ${show(theirs)}\n    Radial: ${show(ours)}`);
  }
  return found;
}

describe("the template engine agrees with Go's text/template and sprig", () => {
  // npm run mutate records a fifth of the function templates (go-answers.ts); npm test renders all.
  it("every function, over every kind of argument", async () => {
    const answered = await goAnswers("functions");
    assert.ok(answered.length > 8_000, `only ${answered.length} cases`);
    const found = disagreements(answered);
    assert.deepEqual(found.slice(0, 40), [], `${found.length} of ${answered.length} templates disagree`);
  });

  it("every action (if, range, with, variables, define, block, trim markers, comments) under each missingkey option", async () => {
    const answered = await goAnswers("actions");
    assert.ok(answered.length > 400, `only ${answered.length} cases`);
    const found = disagreements(answered);
    assert.deepEqual(found.slice(0, 40), [], `${found.length} of ${answered.length} templates disagree`);
  });
});
