// Go's answers to the agreement test's templates (go-agreement.test.ts): rendered by the go-template
// engine, or read from a file npm run mutate (test/mutate.ts) recorded before its run, so that each
// of thousands of mutants' test processes neither starts Go again nor recomputes the templates from
// the module being mutated (a mutant of a function's arity would otherwise change the templates).
import { readFile, writeFile } from "node:fs/promises";
import * as z from "zod";
import { renderWithGo, type GoTemplateAnswer } from "../../engines/go-template.js";
import { actionCases, DATA, functionCases, type Case } from "./go-agreement-cases.js";

/** Names the file of recorded answers; unset, Go renders them. */
export const RECORDED_GO_ANSWERS = "RADIAL_GO_TEMPLATE_ANSWERS";

/** What a recording keeps of a case: its data is DATA (go-agreement-cases.ts), the same for every case. */
const Answered = z.array(
  z.strictObject({
    template: z.string(),
    options: z.array(z.string()).optional(),
    missingKey: z.enum(["default", "invalid", "zero", "error"]),
    answer: z.union([z.strictObject({ output: z.string() }), z.strictObject({ error: z.string() })]),
  }),
);
const Recorded = z.strictObject({ functions: Answered, actions: Answered });

export type Answered = { case: Case; answer: GoTemplateAnswer }[];
type Set = keyof z.infer<typeof Recorded>;

async function answered(cases: Case[]): Promise<Answered> {
  const answers = await renderWithGo(cases);
  return cases.map((c, i) => ({ case: c, answer: answers[i]! }));
}

function recording(cases: Answered): z.infer<typeof Answered> {
  return cases.map(({ case: { template, options, missingKey, data }, answer }) => {
    if (data !== DATA) throw new Error(`a case with data of its own cannot be recorded: ${template}`);
    return { template, missingKey, answer, ...(options ? { options } : {}) };
  });
}

/** Every function's templates (`every`th of them) and every action's, with Go's answers, written to `file`. */
export async function recordGoAnswers(file: string, every: number): Promise<void> {
  const recorded = { functions: recording(await answered(functionCases(every))), actions: recording(await answered(actionCases())) };
  await writeFile(file, JSON.stringify(recorded));
}

/** The templates of `set` with Go's answers: recorded, when RADIAL_GO_TEMPLATE_ANSWERS names a file, else rendered now. */
export async function goAnswers(set: Set): Promise<Answered> {
  const file = process.env[RECORDED_GO_ANSWERS];
  if (file) {
    const recorded = Recorded.parse(JSON.parse(await readFile(file, "utf8")))[set];
    return recorded.map(({ answer, ...c }) => ({ case: { ...c, data: DATA }, answer }));
  }
  return answered(set === "functions" ? functionCases() : actionCases());
}
