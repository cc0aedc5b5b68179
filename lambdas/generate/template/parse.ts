// A parser for Go's text/template syntax (the subset ApplicationSet templates use), producing a
// tree close to Go's parse package so that errors can name the same positions and nodes.

export class TemplateParseError extends Error {}

export type Arg =
  | { t: "field"; pos: number; idents: string[] }
  | { t: "var"; pos: number; name: string; idents: string[] }
  | { t: "dot"; pos: number }
  | { t: "nil"; pos: number }
  | { t: "bool"; pos: number; v: boolean }
  | { t: "number"; pos: number; v: number | bigint; text: string }
  | { t: "string"; pos: number; v: string; text: string }
  | { t: "ident"; pos: number; name: string }
  | { t: "chain"; pos: number; node: Arg; fields: string[] }
  | { t: "pipe"; pos: number; pipe: Pipe };

export interface Cmd {
  pos: number;
  args: Arg[];
}
export interface Pipe {
  pos: number;
  decl: string[];
  isAssign: boolean;
  cmds: Cmd[];
}
export type Node =
  | { t: "text"; text: string }
  | { t: "action"; pos: number; pipe: Pipe }
  | { t: "if" | "with" | "range"; pos: number; pipe: Pipe; list: Node[]; elseList: Node[] | null }
  | { t: "break" | "continue"; pos: number };

type TokType =
  | "field"
  | "dot"
  | "var"
  | "ident"
  | "string"
  | "rawstring"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma"
  | "rdelim"
  | "keyword"
  | "eof";

interface Tok {
  type: TokType;
  val: string;
  pos: number;
  space: boolean; // preceded by whitespace
}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);
const SPACE = /[ \t\r\n]/;

type Item = { kind: "text"; text: string } | { kind: "action"; pos: number; toks: Tok[] };

/** Splits the input into text and actions (tokenized), applying trim markers and dropping comments. */
function lex(src: string, err: (pos: number, msg: string) => never): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const start = src.indexOf("{{", i);
    let text = start < 0 ? src.slice(i) : src.slice(i, start);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    trimNext = false;
    if (start < 0) {
      if (text) items.push({ kind: "text", text });
      break;
    }
    let p = start + 2;
    if (src[p] === "-" && SPACE.test(src[p + 1] ?? "")) {
      text = text.replace(/[ \t\r\n]+$/, "");
      p += 2;
    }
    if (text) items.push({ kind: "text", text });
    // comment
    const q = p; // Go: a comment must follow the delimiter (and its trim marker) directly
    if (src.startsWith("/*", q)) {
      const end = src.indexOf("*/", q + 2);
      if (end < 0) err(q, "unclosed comment");
      let r = end + 2;
      if (src.startsWith(" -}}", r)) {
        trimNext = true;
        r += 4;
      } else if (src.startsWith("}}", r)) r += 2;
      else err(r, "comment ends before closing delimiter");
      i = r;
      continue;
    }
    // tokens
    const toks: Tok[] = [];
    let space = false;
    for (;;) {
      if (p >= src.length) err(p, "unclosed action");
      const c = src[p]!;
      if (SPACE.test(c)) {
        // right trim marker " -}}"
        let s = p;
        while (SPACE.test(src[s] ?? "")) s++;
        if (src.startsWith("-}}", s) && p < s) {
          toks.push({ type: "rdelim", val: "}}", pos: s, space: true });
          trimNext = true;
          p = s + 3;
          break;
        }
        if (src[s] === "\n" || src.slice(p, s).includes("\n")) {
          // newlines are allowed inside actions in Go ≥ 1.16
        }
        space = true;
        p = s;
        continue;
      }
      const tok = (type: TokType, val: string) => {
        toks.push({ type, val, pos: p, space });
        space = false;
        p += val.length;
      };
      if (src.startsWith("}}", p)) {
        toks.push({ type: "rdelim", val: "}}", pos: p, space });
        p += 2;
        break;
      }
      if (c === "|") tok("pipe", "|");
      else if (c === "(") tok("lparen", "(");
      else if (c === ")") tok("rparen", ")");
      else if (c === ",") tok("comma", ",");
      else if (src.startsWith(":=", p)) tok("declare", ":=");
      else if (c === "=") tok("assign", "=");
      else if (c === '"') {
        let e = p + 1;
        while (e < src.length && src[e] !== '"') {
          if (src[e] === "\\") e++;
          if (src[e] === "\n") err(p, "unterminated quoted string");
          e++;
        }
        if (e >= src.length) err(p, "unterminated quoted string");
        tok("string", src.slice(p, e + 1));
      } else if (c === "`") {
        const e = src.indexOf("`", p + 1);
        if (e < 0) err(p, "unterminated raw quoted string");
        tok("rawstring", src.slice(p, e + 1));
      } else if (c === "'") {
        let e = p + 1;
        while (e < src.length && src[e] !== "'") {
          if (src[e] === "\\") e++;
          e++;
        }
        if (e >= src.length) err(p, "unterminated character constant");
        tok("char", src.slice(p, e + 1));
      } else if (c === "$") {
        const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(p))!;
        tok("var", m[0]);
      } else if (c === ".") {
        const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p));
        if (m) tok("field", m[0]);
        else if (/[0-9]/.test(src[p + 1] ?? "")) {
          const n = /^[.0-9eE+\-_xXa-fA-Fp]+/.exec(src.slice(p))!;
          tok("number", n[0]);
        } else tok("dot", ".");
      } else if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)/.exec(src.slice(p));
        if (!m || m[0] === "" || m[0] === "+" || m[0] === "-") err(p, `bad character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} '${c}'`);
        tok("number", m[0]);
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p))!;
        const w = m[0];
        if (KEYWORDS.has(w)) tok("keyword", w);
        else if (w === "true" || w === "false") tok("bool", w);
        else if (w === "nil") tok("nil", w);
        else tok("ident", w);
      } else err(p, `unrecognized character in action: U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")} '${c}'`);
    }
    items.push({ kind: "action", pos: start, toks });
    i = p;
  }
  return items;
}

/** A quoted string's value; `\'` is an escape in a character constant only (`char`), as in Go. */
function unquote(s: string, err: () => never, char = false): string {
  if (s.startsWith("`")) return s.slice(1, -1);
  try {
    // Go escapes are close to JSON's; handle \x, \a, \v, octal and (in a character constant) \' first.
    const body = s
      .slice(1, -1)
      .replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => `\\u00${h}`)
      .replace(/\\U([0-9a-fA-F]{8})/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/\\a/g, "\\u0007")
      .replace(/\\v/g, "\\u000b")
      .replace(/\\'/g, char ? "'" : "\\'")
      .replace(/\\([0-7]{3})/g, (_m, o: string) => `\\u${parseInt(o, 8).toString(16).padStart(4, "0")}`);
    return JSON.parse(`"${body.replace(/\t/g, "\\t")}"`) as string;
  } catch {
    return err();
  }
}

/** A number constant's value; undefined when it is no number; "overflow" for an integer Go cannot hold (or a decimal with a leading 0 that is no octal). */
export function parseNumber(text: string): number | bigint | "overflow" | undefined {
  const clean = text.replace(/_/g, "");
  // Go parses an integer-looking constant as an integer, then as a float: "08" or a 21-digit
  // number only parses as the latter, and Go refuses a float that looks like an integer.
  if (/^[+-]?[0-9]+$/.test(clean) && (/^[+-]?0[0-9]*[89]/.test(clean) || BigInt(clean) > 18446744073709551615n || BigInt(clean) < -9223372036854775808n))
    return "overflow";
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/.test(clean)) {
    const neg = clean.startsWith("-");
    const body = clean.replace(/^[+-]/, "");
    const v = /^0[0-7]+$/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body.replace(/^0([oO])/, "0o"));
    return neg ? -v : v;
  }
  if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(clean)) return Number(clean);
  return undefined;
}

/** Parses a template into a list of nodes. Errors read like Go's: `template: base:1: ...`. */
export function parseTemplate(src: string, name: string, isFunc: (name: string) => boolean = () => true): Node[] {
  const lineOf = (pos: number) => src.slice(0, pos).split("\n").length;
  const fail = (pos: number, msg: string): never => {
    throw new TemplateParseError(`template: ${name}:${lineOf(pos)}: ${msg}`);
  };
  const items = lex(src, fail);
  let idx = 0;
  const vars: string[][] = [["$"]];
  const defined = (n: string) => vars.some((scope) => scope.includes(n));
  /** Ranges whose body is being parsed: break and continue belong in one (not in its else). */
  let rangeDepth = 0;

  // token stream for the current action
  let toks: Tok[] = [];
  let ti = 0;
  const peek = () => toks[ti]!;
  const next = () => toks[ti++]!;
  const unexpected = (t: Tok, ctx: string): never => fail(t.pos, t.type === "rdelim" ? `unexpected "}}" in ${ctx}` : `unexpected ${describe(t)} in ${ctx}`);
  const describe = (t: Tok) => (t.type === "eof" ? "EOF" : t.type === "keyword" ? `<${t.val}>` : `"${t.val}"`);

  function parseList(stopAt: Set<string>): { nodes: Node[]; stop: string; stopTok: Tok | undefined } {
    const nodes: Node[] = [];
    while (idx < items.length) {
      const it = items[idx++]!;
      if (it.kind === "text") {
        nodes.push({ t: "text", text: it.text });
        continue;
      }
      toks = it.toks;
      ti = 0;
      const first = peek();
      if (first.type === "keyword") {
        const kw = first.val;
        if (kw === "end" || kw === "else") {
          if (!stopAt.has(kw)) fail(first.pos, `unexpected {{${kw}}}`);
          next();
          return { nodes, stop: kw, stopTok: peek() };
        }
        next();
        if (kw === "if" || kw === "with" || kw === "range") {
          nodes.push(parseControl(kw, it.pos));
          continue;
        }
        if (kw === "break" || kw === "continue") {
          if (peek().type !== "rdelim") unexpected(peek(), `{{${kw}}}`);
          if (rangeDepth === 0) fail(first.pos, `{{${kw}}} outside {{range}}`);
          nodes.push({ t: kw, pos: first.pos });
          continue;
        }
        fail(first.pos, `{{${kw}}} is not supported by this template engine`);
      }
      const pipe = parsePipe("command", true);
      nodes.push({ t: "action", pos: first.pos, pipe });
    }
    if (stopAt.size > 0) fail(src.length, "unexpected EOF");
    return { nodes, stop: "", stopTok: undefined };
  }

  function parseControl(kw: "if" | "with" | "range", pos: number): Node {
    vars.push([]);
    const pipe = parsePipe(kw, true, kw === "range");
    if (kw === "range") rangeDepth++;
    const body = parseList(new Set(["end", "else"]));
    if (kw === "range") rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.stop === "else") {
      // "else if" / "else with" chains
      const t = peek();
      if ((kw === "if" || kw === "with") && t.type === "keyword" && t.val === kw) {
        next();
        vars.push([]);
        const nested = parseControl(kw, t.pos);
        vars.pop();
        elseList = [nested];
      } else {
        if (t.type !== "rdelim") unexpected(t, "else");
        const e = parseList(new Set(["end"]));
        elseList = e.nodes;
      }
    } else if (peek().type !== "rdelim") unexpected(peek(), "end");
    vars.pop();
    return { t: kw, pos, pipe, list: body.nodes, elseList };
  }

  function parsePipe(ctx: string, allowDecl: boolean, isRange = false): Pipe {
    const start = peek();
    const decl: string[] = [];
    let isAssign = false;
    // declarations: $x := / $x = / $i, $v :=
    if (allowDecl && start.type === "var") {
      const save = ti;
      const v1 = next();
      const t2 = peek();
      if (t2.type === "declare" || t2.type === "assign") {
        next();
        decl.push(v1.val);
        isAssign = t2.type === "assign";
      } else if (t2.type === "comma" && isRange) {
        next();
        const v2 = next();
        if (v2.type !== "var") fail(v2.pos, `range can only initialize variables`);
        const t3 = next();
        if (t3.type !== "declare" && t3.type !== "assign") fail(t3.pos, `expected := or = in range`);
        decl.push(v1.val, v2.val);
        isAssign = t3.type === "assign";
      } else ti = save;
      if (decl.length > 0) {
        if (isAssign) {
          for (const d of decl) if (!defined(d)) fail(start.pos, `undefined variable "${d}"`);
        } else vars[vars.length - 1]!.push(...decl);
      }
    }
    const cmds: Cmd[] = [];
    for (;;) {
      const t = peek();
      if (t.type === "rdelim" || t.type === "rparen") {
        if (t.type === "rparen" && ctx !== "parenthesized pipeline") unexpected(t, ctx === "command" ? "command" : ctx);
        if (cmds.length === 0) fail(t.pos, `missing value for ${ctx}`);
        break;
      }
      cmds.push(parseCommand(ctx));
      const after = peek();
      // A pipe at the end of the pipeline ends it, as in Go: {{ .a | }} is {{ .a }}.
      if (after.type === "pipe") next();
    }
    // Go: non-executable commands (constants, fields) after the first command of a pipeline are rejected
    for (let k = 1; k < cmds.length; k++) {
      const a = cmds[k]!.args[0]!;
      if (a.t === "bool" || a.t === "dot" || a.t === "nil" || a.t === "number" || a.t === "string")
        fail(a.pos, `non executable command in pipeline stage ${k + 1}`);
    }
    return { pos: start.pos, decl, isAssign, cmds };
  }

  function parseCommand(ctx: string): Cmd {
    const args: Arg[] = [];
    const pos = peek().pos;
    for (;;) {
      const t = peek();
      if (t.type === "rdelim" || t.type === "rparen" || t.type === "pipe") break;
      if (args.length > 0 && !t.space && t.type !== "field") fail(t.pos, `missing space?`);
      const op = parseOperand(ctx);
      args.push(op);
    }
    if (args.length === 0) fail(peek().pos, `missing value for ${ctx}`);
    return { pos, args };
  }

  function parseOperand(ctx: string): Arg {
    let node = parseTerm(ctx);
    if (peek().type === "field" && !peek().space) {
      const chainPos = peek().pos;
      const fields: string[] = [];
      while (peek().type === "field" && !peek().space) fields.push(next().val.slice(1));
      if (node.t === "field") node = { t: "field", pos: chainPos, idents: [...node.idents, ...fields] };
      else if (node.t === "var") node = { t: "var", pos: chainPos, name: node.name, idents: [...node.idents, ...fields] };
      else if (node.t === "bool" || node.t === "string" || node.t === "number" || node.t === "nil" || node.t === "dot")
        fail(chainPos, `unexpected . after term "${argString(node)}"`);
      else node = { t: "chain", pos: chainPos, node, fields };
    }
    return node;
  }

  function parseTerm(ctx: string): Arg {
    const t = next();
    switch (t.type) {
      case "ident":
        if (!isFunc(t.val)) fail(t.pos, `function "${t.val}" not defined`);
        return { t: "ident", pos: t.pos, name: t.val };
      case "dot":
        return { t: "dot", pos: t.pos };
      case "nil":
        return { t: "nil", pos: t.pos };
      case "bool":
        return { t: "bool", pos: t.pos, v: t.val === "true" };
      case "var":
        if (!defined(t.val)) fail(t.pos, `undefined variable "${t.val}"`);
        return { t: "var", pos: t.pos, name: t.val, idents: [] };
      case "field":
        return { t: "field", pos: t.pos, idents: [t.val.slice(1)] };
      case "string":
      case "rawstring":
        return { t: "string", pos: t.pos, v: unquote(t.val, () => fail(t.pos, `invalid syntax`)), text: t.val };
      case "char": {
        const s = unquote(`"${t.val.slice(1, -1).replace(/"/g, '\\"')}"`, () => fail(t.pos, "invalid syntax"), true);
        // Go's strconv.UnquoteChar: nothing between the quotes is a syntax error, more than one character a malformed constant.
        if (s === "") fail(t.pos, "invalid syntax");
        if (!/^.$/su.test(s)) fail(t.pos, `malformed character constant: ${t.val}`);
        return { t: "number", pos: t.pos, v: BigInt(s.codePointAt(0) ?? 0), text: t.val };
      }
      case "number": {
        const v = parseNumber(t.val);
        if (v === undefined) fail(t.pos, `bad number syntax: "${t.val}"`);
        if (v === "overflow") fail(t.pos, `integer overflow: "${t.val}"`);
        return { t: "number", pos: t.pos, v: v as number | bigint, text: t.val };
      }
      case "lparen": {
        const pipe = parsePipe("parenthesized pipeline", false);
        const close = next();
        if (close.type !== "rparen") fail(close.pos, `unclosed left paren`);
        return { t: "pipe", pos: t.pos, pipe };
      }
      default:
        return unexpected(t, ctx === "command" ? "operand" : ctx);
    }
  }

  const { nodes } = parseList(new Set());
  return nodes;
}

/** The text of a node as Go's parse package prints it, for error context `at <...>`. */
export function argString(a: Arg): string {
  switch (a.t) {
    case "field":
      return a.idents.map((i) => `.${i}`).join("");
    case "var":
      return a.name + a.idents.map((i) => `.${i}`).join("");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(a.v);
    case "number":
    case "string":
      return a.text;
    case "ident":
      return a.name;
    case "chain": {
      const inner = a.node.t === "pipe" ? `(${pipeString(a.node.pipe)})` : argString(a.node);
      return inner + a.fields.map((f) => `.${f}`).join("");
    }
    case "pipe":
      return `(${pipeString(a.pipe)})`;
  }
}

export function cmdString(c: Cmd): string {
  return c.args.map((a) => (a.t === "pipe" ? `(${pipeString(a.pipe)})` : argString(a))).join(" ");
}

export function pipeString(p: Pipe): string {
  const d = p.decl.length > 0 ? `${p.decl.join(", ")} ${p.isAssign ? "=" : ":="} ` : "";
  return d + p.cmds.map(cmdString).join(" | ");
}
