// Executes a parsed template with Go text/template semantics (see values.ts for the value model).
import { LruMap } from "../lru.js";
import { argString, cmdString, parseTemplate, type Arg, type Cmd, type Node, type Pipe } from "./parse.js";
import { goTypeName, isMap, formatV, NIL_MAP } from "./values.js";
import { FUNCS, type FuncSpec, type ParamType } from "./funcs.js";

export type MissingKey = "default" | "invalid" | "zero" | "error";

export class TemplateExecError extends Error {}

/** Thrown by functions; becomes `error calling <name>: <message>`. */
export class FuncError extends Error {}

type ControlNode = Extract<Node, { pipe: Pipe; list: Node[] }>;

// break and continue unwind to the enclosing range; the kind keeps the two distinct types (two empty classes are one type to TypeScript).
class BreakSignal {
  readonly kind = "break";
}
class ContinueSignal {
  readonly kind = "continue";
}

const TEMPLATE_NAME = "base"; // Argo parses every template into a clone of template.New("base")

/** A missing value marker is `undefined`; Go's nil interface is `null`. */
function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

export { truth as goTruth };

interface Var {
  name: string;
  value: unknown;
}

/** A bound on one string's rendered size, so a runaway range cannot exhaust memory. */
const MAX_OUTPUT = 8 * 1024 * 1024;

/**
 * Parsed templates by source text: the language's own memo of a pure function, like a compiled
 * regular expression, so it stays with the language rather than in GenerationCaches. At most 5,000
 * templates, least recently used dropped first.
 */
const parsed = new LruMap<string, Node[]>(5000);

function parseCached(src: string): Node[] {
  let nodes = parsed.get(src);
  if (!nodes) {
    nodes = parseTemplate(src, TEMPLATE_NAME, (name) => Object.prototype.hasOwnProperty.call(FUNCS, name));
    parsed.set(src, nodes);
  }
  return nodes;
}

export function execute(src: string, data: unknown, missingKey: MissingKey): string {
  const nodes = parseCached(src);
  const st = new State(src, missingKey);
  st.vars.push({ name: "$", value: data });
  let out = "";
  st.write = (s) => {
    out += s;
    if (out.length > MAX_OUTPUT) st.errorf(`template output exceeds ${MAX_OUTPUT} characters`);
  };
  st.walkList(data, nodes);
  return out;
}

class State {
  vars: Var[] = [];
  write: (s: string) => void = () => {
    // replaced by renderGoTemplate before the walk writes anything
  };
  private node: { pos: number; text: string } = { pos: 0, text: "" };
  constructor(
    private readonly src: string,
    private readonly missingKey: MissingKey,
  ) {}

  at(pos: number, text: string): void {
    this.node = { pos, text };
  }

  /** A number constant as a value: Go's int is 64 bits, so a constant only a uint64 holds is refused where it is used. */
  private constant(node: Extract<Arg, { t: "number" }>): number | bigint {
    if (typeof node.v === "bigint" && node.v > 9223372036854775807n) this.errorf(`${node.text} overflows int`);
    return node.v;
  }

  errorf(msg: string): never {
    const before = this.src.slice(0, this.node.pos);
    const line = before.split("\n").length;
    const col = this.node.pos - (before.lastIndexOf("\n") + 1);
    throw new TemplateExecError(`template: ${TEMPLATE_NAME}:${line}:${col}: executing "${TEMPLATE_NAME}" at <${this.node.text}>: ${msg}`);
  }

  walkList(dot: unknown, nodes: Node[]): void {
    for (const n of nodes) this.walk(dot, n);
  }

  walk(dot: unknown, n: Node): void {
    switch (n.t) {
      case "text":
        this.write(n.text);
        return;
      case "action": {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.write(this.printValue(v));
        return;
      }
      case "if":
      case "with": {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        if (truth(v)) this.walkList(n.t === "with" ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case "range":
        this.walkRange(dot, n);
        return;
      case "break":
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- control flow, not a failure: walkRange catches it, as Go's walkRange recovers its break; no stack is wanted
        throw new BreakSignal();
      case "continue":
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- control flow, not a failure: walkRange catches it, as Go's walkRange recovers its continue; no stack is wanted
        throw new ContinueSignal();
    }
  }

  walkRange(dot: unknown, n: ControlNode): void {
    const mark = this.vars.length;
    const v = this.evalPipeline(dot, n.pipe, true);
    const iter = (key: unknown, elem: unknown): boolean => {
      const m = this.vars.length;
      if (n.pipe.isAssign) {
        if (n.pipe.decl.length === 1) this.assignVar(n.pipe.decl[0]!, elem);
        if (n.pipe.decl.length === 2) {
          this.assignVar(n.pipe.decl[0]!, key);
          this.assignVar(n.pipe.decl[1]!, elem);
        }
      } else {
        if (n.pipe.decl.length === 1) this.setTopVar(1, elem);
        if (n.pipe.decl.length === 2) {
          this.setTopVar(2, key);
          this.setTopVar(1, elem);
        }
      }
      try {
        this.walkList(elem, n.list);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = m;
      }
      return true;
    };
    let ran = false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        ran = true;
        if (!iter(BigInt(i), v[i])) break;
      }
    } else if (isMap(v)) {
      for (const k of Object.keys(v).sort()) {
        ran = true;
        if (!iter(k, v[k])) break;
      }
    } else if (typeof v === "bigint") {
      // An integer gives values only: Go refuses a key and a value from it.
      if (n.pipe.decl.length > 1) {
        this.errorf(`can't use ${v} to iterate over more than one variable`);
      }
      for (let i = 0n; i < v; i++) {
        ran = true;
        if (!iter(i, i)) break;
      }
    } else if (v === undefined || v === null) {
      // Go: range over nil/invalid runs the else branch
    } else {
      // Go reports it where the pipeline's evaluation left off (its last operand).
      this.errorf(`range can't iterate over ${formatV(v)}`);
    }
    if (!ran && n.elseList) this.walkList(dot, n.elseList);
    this.vars.length = mark;
  }

  assignVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i]!;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
  }

  /** Sets the n-th most recently declared variable (range's $i, $v). */
  setTopVar(n: number, value: unknown): void {
    const v = this.vars[this.vars.length - n];
    if (v) v.value = value;
  }

  evalPipeline(dot: unknown, pipe: Pipe, isRange = false): unknown {
    this.at(pipe.pos, pipeStringShort(pipe));
    let value: unknown = MISSING_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
    }
    // Go unwraps a pipeline's interface{} value: a nil one is no value (a field of it is missing, not a nil pointer).
    if (value === MISSING_FINAL || value === null) value = undefined;
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        if (!isRange) this.assignVar(name, value);
      } else this.vars.push({ name, value: isRange ? undefined : value });
    }
    return value;
  }

  evalCommand(dot: unknown, cmd: Cmd, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.t) {
      case "field":
        return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final, "dot");
      case "chain": {
        const recv = this.evalArgValue(dot, first.node);
        return this.evalFieldChain(dot, recv, first, first.fields, cmd.args, final, "pipeline");
      }
      case "ident":
        return this.evalFunction(dot, first, cmd, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case "var": {
        this.at(first.pos, argString(first)); // as Go's evalVariableNode: `$ 1` refuses at <$>
        const v = this.varValue(first.name);
        if (first.idents.length === 0) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.idents, cmd.args, final, "pipeline");
      }
    }
    this.at(first.pos, argString(first));
    this.notAFunction(cmd.args, final);
    switch (first.t) {
      case "bool":
        return first.v;
      case "dot":
        return dot;
      case "nil":
        return this.errorf("nil is not a command");
      case "number":
        return this.constant(first);
      case "string":
        return first.v;
    }
    return this.errorf(`can't evaluate command ${argString(first)}`);
  }

  notAFunction(args: Arg[], final: unknown): void {
    if (args.length > 1 || final !== MISSING_FINAL) this.errorf(`can't give argument to non-function ${argString(args[0]!)}`);
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i]!;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  /**
   * The fields `idents` of `receiver`, which is dot, or a variable's or a parenthesized pipeline's
   * value: those have their own type in Go (a pipeline unwraps its interface{}), as the root dot
   * does; a value read from a map or a list is an interface {}, which errors name.
   */
  evalFieldChain(dot: unknown, receiver: unknown, node: Arg, idents: string[], args: Arg[], final: unknown, from: "dot" | "pipeline"): unknown {
    // Go's evalChainNode leaves its errors' context at the pipeline it evaluated, (.m).x at .m.
    if (node.t !== "chain") this.at(node.pos, argString(node));
    const n = idents.length;
    let r = receiver;
    for (let i = 0; i < n; i++) {
      const last = i === n - 1;
      const hasArgs = last && (args.length > 1 || final !== MISSING_FINAL);
      r = this.evalField(r, idents[i]!, hasArgs, i === 0 && (from === "pipeline" || dot === this.vars[0]?.value));
    }
    return r;
  }

  evalField(receiver: unknown, name: string, hasArgs: boolean, concrete: boolean): unknown {
    if (receiver === undefined) {
      if (this.missingKey === "error") this.errorf(`nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    if (isMap(receiver)) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
      switch (this.missingKey) {
        case "zero":
          return null;
        case "error":
          return this.errorf(`map has no entry for key "${name}"`);
        default:
          return undefined;
      }
    }
    return this.errorf(`can't evaluate field ${name} in type ${concrete ? goTypeName(receiver) : "interface {}"}`);
  }

  evalArgValue(dot: unknown, a: Arg): unknown {
    this.at(a.pos, argString(a));
    switch (a.t) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "bool":
        return a.v;
      case "number":
        return this.constant(a);
      case "string":
        return a.v;
      case "field":
        return this.evalFieldChain(dot, dot, a, a.idents, [a], MISSING_FINAL, "dot");
      case "var": {
        const v = this.varValue(a.name);
        return a.idents.length === 0 ? v : this.evalFieldChain(dot, v, a, a.idents, [a], MISSING_FINAL, "pipeline");
      }
      case "chain": {
        const recv = this.evalArgValue(dot, a.node);
        return this.evalFieldChain(dot, recv, a, a.fields, [a], MISSING_FINAL, "pipeline");
      }
      case "pipe":
        return this.evalPipeline(dot, a.pipe);
      case "ident": {
        const spec = FUNCS[a.name];
        if (!spec) return this.errorf(`"${a.name}" is not a defined function`);
        return this.evalFunction(dot, a, { pos: a.pos, args: [a] }, MISSING_FINAL);
      }
    }
  }

  evalFunction(dot: unknown, ident: Extract<Arg, { t: "ident" }>, cmd: Cmd, final: unknown): unknown {
    this.at(ident.pos, ident.name);
    const spec = FUNCS[ident.name];
    if (!spec) return this.errorf(`"${ident.name}" is not a defined function`);
    const argNodes = cmd.args.slice(1);
    const hasFinal = final !== MISSING_FINAL;
    const nargs = argNodes.length + (hasFinal ? 1 : 0);
    const fixed = spec.params.length;
    if (spec.variadic ? nargs < fixed : nargs !== fixed) {
      const want = spec.variadic ? `at least ${fixed}` : String(fixed);
      this.errorf(`wrong number of args for ${ident.name}: want ${want} got ${nargs}`);
    }
    // and/or short-circuit: arguments are evaluated lazily
    if (spec.lazy) {
      const thunks = argNodes.map((a) => () => this.evalArgValue(dot, a));
      if (hasFinal) thunks.push(() => final);
      return spec.lazy(thunks);
    }
    const typeAt = (i: number): ParamType => (i < fixed ? spec.params[i]! : spec.variadic!);
    const values: unknown[] = [];
    argNodes.forEach((a, i) => values.push(this.evalArg(dot, a, typeAt(i))));
    if (hasFinal) {
      values.push(this.validateType(final, typeAt(values.length)));
    }
    try {
      return spec.fn(...values);
    } catch (e) {
      if (e instanceof TemplateExecError) throw e;
      // Go points at the command only when the call fails; otherwise the position stays at the last
      // argument evaluated, where a later type error in an enclosing call is reported.
      this.at(cmd.pos, cmdString(cmd));
      const msg = e instanceof Error ? e.message : String(e);
      return this.errorf(`error calling ${ident.name}: ${msg}`);
    }
  }

  /** Go's evalArg: a constant is checked against the parameter's type as written, any other argument by its value. */
  evalArg(dot: unknown, a: Arg, t: ParamType): unknown {
    const v = this.evalArgValue(dot, a);
    if (a.t !== "bool" && a.t !== "number" && a.t !== "string") return this.validateType(v, t, a.t);
    switch (t) {
      case "any":
      case "value":
        return v;
      case "bool":
        return a.t === "bool" ? v : this.errorf(`expected bool; found ${argString(a)}`);
      case "string":
        return a.t === "string" ? v : this.errorf(`expected string; found ${argString(a)}`);
      case "int":
        return a.t === "number" && Number.isInteger(Number(v)) ? BigInt(v as number | bigint) : this.errorf(`expected integer; found ${argString(a)}`);
      case "float":
        return a.t === "number" ? Number(v) : this.errorf(`expected float; found ${argString(a)}`);
      case "map":
        return this.errorf(`can't handle ${argString(a)} for arg of type ${goParamName(t)}`);
    }
  }

  /** Go's validateType for a function's parameter; `arg` is the argument's node kind (none when piped). */
  validateType(v: unknown, t: ParamType, arg?: Arg["t"]): unknown {
    if (t === "value") return v; // reflect.Value params (builtins): invalid values allowed
    // A missing value, or the nil literal, is the parameter type's zero value: a nil map.
    // A JSON null is a nil interface{}, which only an interface{} parameter takes.
    if (v === undefined || (v === null && arg === "nil")) {
      if (t === "any") return null;
      if (t === "map") return NIL_MAP;
      return this.errorf(v === undefined ? `invalid value; expected ${goParamName(t)}` : `cannot assign nil to ${goParamName(t)}`);
    }
    switch (t) {
      case "any":
        return v;
      case "string":
        if (typeof v === "string") return v;
        break;
      case "int":
        if (typeof v === "bigint") return v;
        break;
      case "float":
        if (typeof v === "number") return v;
        break;
      case "bool":
        if (typeof v === "boolean") return v;
        break;
      case "map":
        if (isMap(v)) return v;
        break;
    }
    return this.errorf(`wrong type for value; expected ${goParamName(t)}; got ${v === null ? "interface {}" : goTypeName(v)}`);
  }

  printValue(v: unknown): string {
    if (v === undefined || v === null) return "<no value>";
    return formatV(v);
  }
}

function goParamName(t: ParamType): string {
  switch (t) {
    case "int":
      return "int";
    case "float":
      return "float64";
    case "map":
      return "map[string]interface {}";
    case "any":
    case "value":
      return "interface {}";
    default:
      return t;
  }
}

function pipeStringShort(p: Pipe): string {
  return p.cmds.map(cmdString).join(" | ");
}

/** Marks "no value piped in" (distinct from a piped missing value, which is undefined). */
export const MISSING_FINAL: unique symbol = Symbol("missing");

export type { FuncSpec };
