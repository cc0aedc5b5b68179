// The subset of jq that ignoreDifferences.jqPathExpressions may use. Argo CD runs `del(<expr>)`
// with gojq; Radial accepts the path expressions people write there and refuses anything else
// rather than guess:
//   path    .a.b   ."k.e/y"   .["k"]   [2]   []   (each step may end in ?)
//   filter  | select(<path> == <literal>)   or   !=   (literal: JSON string, number, true, false, null)
// joined by `|`, e.g. `.spec.template.spec.initContainers[] | select(.name == "istio-init")`.

export class JqPathError extends Error {}

type Step = { key: string } | { index: number } | { each: true };
type Stage = { path: Step[] } | { select: { path: Step[]; equal: boolean; literal: unknown } };
export type JqPath = Stage[];

type Location = (string | number)[];

const SUPPORTED = 'supported: paths (.a.b, ."k", .["k"], [n], []) and `| select(.path == literal)` (or !=)';

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  private fail(problem: string): never {
    throw new JqPathError(`unsupported jqPathExpression ${JSON.stringify(this.text)}: ${problem} at offset ${this.at}; ${SUPPORTED}`);
  }
  private blank(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }
  private eat(token: string): boolean {
    this.blank();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }
  private string(): string {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.at));
    if (!match) this.fail("expected a string");
    this.at += match[0].length;
    return JSON.parse(match[0]) as string;
  }
  private literal(): unknown {
    this.blank();
    if (this.text[this.at] === '"') return this.string();
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![\w$])/.exec(this.text.slice(this.at));
    if (!match) this.fail("expected a literal");
    this.at += match[0].length;
    return JSON.parse(match[0]);
  }

  private name(): string | undefined {
    if (this.text[this.at] === '"') return this.string();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at));
    if (!match) return undefined;
    this.at += match[0].length;
    return match[0];
  }
  /** What follows a `[`: `]`, an index or a quoted key. */
  private bracket(): Step {
    if (this.eat("]")) return { each: true };
    this.blank();
    let step: Step;
    if (this.text[this.at] === '"') step = { key: this.string() };
    else {
      const index = /^\d+/.exec(this.text.slice(this.at));
      if (!index) this.fail("expected an index, a quoted key or ]");
      this.at += index[0].length;
      step = { index: Number(index[0]) };
    }
    if (!this.eat("]")) this.fail("expected ]");
    return step;
  }
  private path(): Step[] {
    this.blank();
    if (this.text[this.at] !== ".") this.fail("expected a path starting with .");
    this.at++;
    const steps: Step[] = [];
    const first = this.name();
    if (first !== undefined) steps.push({ key: first });
    for (;;) {
      const next = this.text[this.at];
      if (next === "?") this.at++;
      else if (next === "[") {
        this.at++;
        steps.push(this.bracket());
      } else if (next === ".") {
        this.at++;
        if (this.text[this.at] === "[") continue;
        const name = this.name();
        if (name === undefined) this.fail("expected a field name after .");
        steps.push({ key: name });
      } else return steps;
    }
  }

  parse(): JqPath {
    const stages: Stage[] = [];
    do {
      if (this.eat("select(")) {
        const path = this.path();
        const equal = this.eat("==") ? true : this.eat("!=") ? false : this.fail("expected == or !=");
        const literal = this.literal();
        if (!this.eat(")")) this.fail("expected )");
        stages.push({ select: { path, equal, literal } });
      } else stages.push({ path: this.path() });
      this.blank();
    } while (this.eat("|"));
    if (this.at < this.text.length) this.fail("unexpected text");
    return stages;
  }
}

export const parseJqPath = (expression: string): JqPath => new Parser(expression).parse();

interface Found {
  location: Location;
  value: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

function walk(found: Found[], steps: Step[]): Found[] {
  for (const step of steps) {
    found = found.flatMap(({ location, value }): Found[] => {
      if ("key" in step) return isRecord(value) && Object.hasOwn(value, step.key) ? [{ location: [...location, step.key], value: value[step.key] }] : [];
      if ("index" in step) return Array.isArray(value) && step.index < value.length ? [{ location: [...location, step.index], value: value[step.index] }] : [];
      if (Array.isArray(value)) return (value as unknown[]).map((item, index) => ({ location: [...location, index], value: item }));
      if (isRecord(value)) return Object.entries(value).map(([key, item]) => ({ location: [...location, key], value: item }));
      return [];
    });
  }
  return found;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Where in `document` the expression points; missing fields point nowhere (jq's `del` of them is a no-op). */
export function locate(document: unknown, expression: JqPath): Location[] {
  let found: Found[] = [{ location: [], value: document }];
  for (const stage of expression) {
    if ("path" in stage) found = walk(found, stage.path);
    else {
      const { path, equal, literal } = stage.select;
      found = found.filter(({ value }) => {
        const [subject] = walk([{ location: [], value }], path);
        return sameJson(subject?.value ?? null, literal) === equal;
      });
    }
  }
  return found.map(({ location }) => location);
}
