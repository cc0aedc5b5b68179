// A parser for Go's text/template syntax (the subset ApplicationSet templates use), producing a
// tree close to Go's parse package so that errors can name the same positions and nodes.

import { goQuote } from "./values.js";

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
  /** Any other printable ASCII character, which Go's lexer passes on for the parser to refuse. */
  | "other"
  /** What the lexer could not read: an error the parser raises when it gets there. */
  | "error";

interface Tok {
  type: TokType;
  val: string;
  pos: number;
  space: boolean; // preceded by whitespace
}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);
const SPACE = /[ \t\r\n]/;

type Item = { kind: "text"; text: string } | { kind: "action"; pos: number; toks: Tok[] };

type LexError = (pos: number, msg: string) => never;

/** Splits the input into text and actions (tokenized), applying trim markers and dropping comments. */
function lex(src: string, err: LexError): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const start = src.indexOf("{{", i);
    let text = start < 0 ? src.slice(i) : src.slice(i, start);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
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
    // Go: a comment must follow the delimiter (and its trim marker) directly.
    const action = src.startsWith("/*", p) ? lexComment(src, p, err) : lexAction(src, p);
    if (action.toks) items.push({ kind: "action", pos: start, toks: action.toks });
    ({ next: i, trimNext } = action);
  }
  return items;
}

/** What follows one action: where the text after it starts, whether its close trims that text, and its tokens (none for a comment). */
interface Lexed {
  next: number;
  trimNext: boolean;
  toks?: Tok[];
}

/** A comment `/* ... *\/` at `p`, up to and including its closing delimiter. */
function lexComment(src: string, p: number, err: LexError): Lexed {
  const end = src.indexOf("*/", p + 2);
  if (end < 0) err(p, "unclosed comment");
  const r = end + 2;
  if (src.startsWith(" -}}", r)) return { next: r + 4, trimNext: true };
  if (src.startsWith("}}", r)) return { next: r + 2, trimNext: false };
  return err(r, "comment ends before closing delimiter");
}

class LexFailure extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The tokens of the action whose content starts at `p`, up to and including its closing delimiter.
 * As in Go, what cannot be read becomes an error token at the end: the parser may refuse an earlier
 * token first (`{{ .m }` is an unexpected "}", not an unclosed action).
 */
function lexAction(src: string, start: number): Lexed {
  const toks: Tok[] = [];
  const err: LexError = (pos, message) => {
    throw new LexFailure(pos, message);
  };
  try {
    return lexTokens(src, start, toks, err);
  } catch (e) {
    if (!(e instanceof LexFailure)) throw e;
    toks.push({ type: "error", val: e.message, pos: e.pos, space: false });
    return { next: src.length, trimNext: false, toks };
  }
}

function lexTokens(src: string, start: number, toks: Tok[], err: LexError): Lexed {
  let p = start;
  let space = false;
  for (;;) {
    if (p >= src.length) err(p, "unclosed action");
    if (SPACE.test(src[p]!)) {
      let s = p;
      while (SPACE.test(src[s] ?? "")) s++;
      // The right trim marker " -}}"; newlines are allowed inside actions (Go 1.16 and later).
      if (src.startsWith("-}}", s)) {
        toks.push({ type: "rdelim", val: "}}", pos: s, space: true });
        return { next: s + 3, trimNext: true, toks };
      }
      space = true;
      p = s;
      continue;
    }
    if (src.startsWith("}}", p)) {
      toks.push({ type: "rdelim", val: "}}", pos: p, space });
      return { next: p + 2, trimNext: false, toks };
    }
    const [type, val] = lexToken(src, p, err);
    toks.push({ type, val, pos: p, space });
    space = false;
    p += val.length;
  }
}

/** The tokens a command can start with (Go's pipeline()). */
const OPERAND_START = new Set<TokType>(["bool", "char", "dot", "field", "ident", "number", "nil", "rawstring", "string", "var", "lparen"]);

const PUNCTUATION: Record<string, TokType> = { "|": "pipe", "(": "lparen", ")": "rparen", ",": "comma" };

/** The token that starts at `p` (not a space, not the closing delimiter): its type and text. */
function lexToken(src: string, p: number, err: LexError): [TokType, string] {
  const c = src[p]!;
  const rest = src.slice(p);
  const punctuation = PUNCTUATION[c];
  if (punctuation) return [punctuation, c];
  if (src.startsWith(":=", p)) return ["declare", ":="];
  if (c === "=") return ["assign", "="];
  if (c === '"') return ["string", quoted(src, p, '"', err, "unterminated quoted string")];
  if (c === "'") return ["char", quoted(src, p, "'", err, "unterminated character constant")];
  if (c === "`") {
    const e = src.indexOf("`", p + 1);
    if (e < 0) err(p, "unterminated raw quoted string");
    return ["rawstring", src.slice(p, e + 1)];
  }
  if (c === "$") return terminated(src, p, ["var", /^\$[\p{L}\p{Nd}_]*/u.exec(rest)![0]], err);
  if (c === "." && !/[0-9]/.test(src[p + 1] ?? "")) {
    const field = /^\.[\p{L}_][\p{L}\p{Nd}_]*/u.exec(rest);
    return terminated(src, p, field ? ["field", field[0]] : ["dot", "."], err);
  }
  if (/[.0-9+-]/.test(c)) return ["number", lexNumber(src, p, err)];
  if (/[\p{L}_]/u.test(String.fromCodePoint(src.codePointAt(p)!))) {
    const w = /^[\p{L}_][\p{L}\p{Nd}_]*/u.exec(rest)![0];
    const type = KEYWORDS.has(w) ? "keyword" : w === "true" || w === "false" ? "bool" : w === "nil" ? "nil" : "ident";
    return terminated(src, p, [type, w], err);
  }
  if (c >= " " && c <= "~") return ["other", c];
  return err(p, `unrecognized character in action: ${goRune(src.codePointAt(p) ?? 0)}`);
}

/** fmt's %#U of a rune, as Go's lexer names a character: U+002D '-'. */
function goRune(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} '${String.fromCodePoint(code)}'`;
}

/** Go's atTerminator: a word, field or variable must be followed by a space, punctuation or the closing delimiter. */
function terminated(src: string, p: number, token: [TokType, string], err: LexError): [TokType, string] {
  const end = p + token[1].length;
  const next = src.codePointAt(end);
  if (next === undefined || SPACE.test(src[end]!) || ".,|:()".includes(src[end]!) || src.startsWith("}}", end)) return token;
  return err(end, `bad character ${goRune(next)}`);
}

/**
 * Go's lexNumber: the longest run that could be a number (sign, base prefix, digits, fraction,
 * exponent, imaginary i), refused when a letter or digit follows it; a sign after it starts the
 * imaginary part of a complex constant.
 */
function lexNumber(src: string, p: number, err: LexError): string {
  const bad = (end: number) => err(p, `bad number syntax: ${goQuote(src.slice(p, end))}`);
  let { end, ok } = scanNumber(src, p);
  if (!ok) bad(end);
  if (src[end] === "+" || src[end] === "-") {
    ({ end, ok } = scanNumber(src, end));
    if (!ok || src[end - 1] !== "i") bad(end);
  }
  return src.slice(p, end);
}

/** Go's scanNumber from `start`: where it stops, and false (one character further) when a letter or digit follows. */
function scanNumber(src: string, start: number): { end: number; ok: boolean } {
  let e = start;
  const accept = (chars: string): boolean => (e < src.length && chars.includes(src[e]!) ? (e++, true) : false);
  const acceptRun = (chars: string) => {
    while (accept(chars));
  };
  accept("+-");
  let digits = "0123456789_";
  if (accept("0")) {
    if (accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (accept("oO")) digits = "01234567_";
    else if (accept("bB")) digits = "01_";
  }
  acceptRun(digits);
  if (accept(".")) acceptRun(digits);
  if (digits.length === 11 && accept("eE")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  if (digits.length === 23 && accept("pP")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  accept("i");
  const next = src.codePointAt(e);
  if (next !== undefined && /[\p{L}\p{Nd}_]/u.test(String.fromCodePoint(next))) return { end: e + String.fromCodePoint(next).length, ok: false };
  return { end: e, ok: true };
}

/** A string or character constant at `p` with its quotes; a double-quoted one may not span lines. */
function quoted(src: string, p: number, quote: string, err: LexError, unterminated: string): string {
  let e = p + 1;
  while (e < src.length && src[e] !== quote) {
    if (src[e] === "\\") e++;
    if (quote === '"' && src[e] === "\n") err(p, unterminated);
    e++;
  }
  if (e >= src.length) err(p, unterminated);
  return src.slice(p, e + 1);
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
  return new TemplateParser(src, name, isFunc).parse();
}

/** A recursive-descent parser over the lexed items, one action's tokens at a time, with Go's scoping of variables. */
class TemplateParser {
  private readonly items: Item[];
  private idx = 0;
  private readonly vars: string[][] = [["$"]];
  /** Ranges whose body is being parsed: break and continue belong in one (not in its else). */
  private rangeDepth = 0;
  /** The current action's tokens and the index of the next one. */
  private toks: Tok[] = [];
  private ti = 0;

  constructor(
    private readonly src: string,
    private readonly name: string,
    private readonly isFunc: (name: string) => boolean,
  ) {
    this.items = lex(src, (pos, msg) => this.fail(pos, msg));
  }

  parse(): Node[] {
    return this.parseList(new Set()).nodes;
  }

  private fail(pos: number, msg: string): never {
    const line = this.src.slice(0, pos).split("\n").length;
    throw new TemplateParseError(`template: ${this.name}:${line}: ${msg}`);
  }

  private defined(n: string): boolean {
    return this.vars.some((scope) => scope.includes(n));
  }

  private peek(): Tok {
    return this.toks[this.ti]!;
  }

  private next(): Tok {
    const t = this.toks[this.ti++]!;
    return t.type === "error" ? this.fail(t.pos, t.val) : t;
  }

  /** Go's unexpected: the token as its item.String() prints it (a keyword in <>, long text cut to ten characters). */
  private unexpected(t: Tok, ctx: string): never {
    if (t.type === "error") this.fail(t.pos, t.val);
    const chars = Array.from(t.val); // Go's %.10q counts runes
    const what =
      t.type === "keyword" || t.type === "dot" || t.type === "nil"
        ? `<${t.val}>`
        : chars.length > 10
          ? `${goQuote(chars.slice(0, 10).join(""))}...`
          : goQuote(t.val);
    return this.fail(t.pos, `unexpected ${what} in ${ctx}`);
  }

  private parseList(stopAt: Set<string>): { nodes: Node[]; stop: string; stopTok: Tok | undefined } {
    const nodes: Node[] = [];
    while (this.idx < this.items.length) {
      const it = this.items[this.idx++]!;
      if (it.kind === "text") {
        nodes.push({ t: "text", text: it.text });
        continue;
      }
      this.toks = it.toks;
      this.ti = 0;
      const first = this.peek();
      if (first.type === "keyword") {
        const kw = first.val;
        if (kw === "end" || kw === "else") {
          if (!stopAt.has(kw)) this.fail(first.pos, `unexpected {{${kw}}}`);
          this.next();
          return { nodes, stop: kw, stopTok: this.peek() };
        }
        this.next();
        if (kw === "if" || kw === "with" || kw === "range") {
          nodes.push(this.parseControl(kw, it.pos));
          continue;
        }
        if (kw === "break" || kw === "continue") {
          if (this.peek().type !== "rdelim") this.unexpected(this.peek(), `{{${kw}}}`);
          if (this.rangeDepth === 0) this.fail(first.pos, `{{${kw}}} outside {{range}}`);
          nodes.push({ t: kw, pos: first.pos });
          continue;
        }
        this.fail(first.pos, `{{${kw}}} is not supported by this template engine`);
      }
      const pipe = this.parsePipe("command", true);
      nodes.push({ t: "action", pos: first.pos, pipe });
    }
    if (stopAt.size > 0) this.fail(this.src.length, "unexpected EOF");
    return { nodes, stop: "", stopTok: undefined };
  }

  private parseControl(kw: "if" | "with" | "range", pos: number): Node {
    this.vars.push([]);
    const pipe = this.parsePipe(kw, true, kw === "range");
    if (kw === "range") this.rangeDepth++;
    const body = this.parseList(new Set(["end", "else"]));
    if (kw === "range") this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.stop === "else") {
      // "else if" / "else with" chains
      const t = this.peek();
      if ((kw === "if" || kw === "with") && t.type === "keyword" && t.val === kw) {
        this.next();
        this.vars.push([]);
        const nested = this.parseControl(kw, t.pos);
        this.vars.pop();
        elseList = [nested];
      } else {
        // Go reads "else if" and "else with" as an else followed by a new action: the other keyword is stray input.
        if (t.type === "keyword" && (t.val === "if" || t.val === "with")) this.unexpected(t, "input");
        if (t.type !== "rdelim") this.unexpected(t, "else");
        const e = this.parseList(new Set(["end", "else"]));
        if (e.stop === "else") this.fail(e.stopTok!.pos, "expected end; found {{else}}");
        elseList = e.nodes;
      }
    } else if (this.peek().type !== "rdelim") this.unexpected(this.peek(), "end");
    this.vars.pop();
    return { t: kw, pos, pipe, list: body.nodes, elseList };
  }

  private parsePipe(ctx: string, allowDecl: boolean, isRange = false): Pipe {
    const start = this.peek();
    const { decl, isAssign } = allowDecl ? this.parseDecls(ctx, isRange) : { decl: [], isAssign: false };
    const cmds: Cmd[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === "rdelim" || t.type === "rparen") {
        // Go's lexer counts parentheses: a stray right one is refused before the parser sees it.
        if (t.type === "rparen" && ctx !== "parenthesized pipeline") this.fail(t.pos, "unexpected right paren");
        if (cmds.length === 0) this.fail(t.pos, `missing value for ${ctx}`);
        break;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, ctx);
      cmds.push(this.parseCommand(ctx));
      const after = this.peek();
      // A pipe at the end of the pipeline ends it, as in Go: {{ .a | }} is {{ .a }}.
      if (after.type === "pipe") this.next();
    }
    // Go: non-executable commands (constants, fields) after the first command of a pipeline are rejected
    for (let k = 1; k < cmds.length; k++) {
      const a = cmds[k]!.args[0]!;
      if (a.t === "bool" || a.t === "dot" || a.t === "nil" || a.t === "number" || a.t === "string")
        this.fail(a.pos, `non executable command in pipeline stage ${k + 1}`);
    }
    return { pos: start.pos, decl, isAssign, cmds };
  }

  /**
   * Go's declarations before a pipeline: `$x :=`, `$x =`, or in a range `$i, $v :=`. A variable not
   * followed by one of those is the pipeline's first operand.
   */
  private parseDecls(ctx: string, isRange: boolean): { decl: string[]; isAssign: boolean } {
    const decl: string[] = [];
    while (this.peek().type === "var") {
      const save = this.ti;
      const v = this.next();
      const after = this.next();
      if (after.type === "declare" || after.type === "assign") {
        decl.push(v.val);
        this.declare(decl, after.type === "assign", v.pos);
        return { decl, isAssign: after.type === "assign" };
      }
      if (after.type !== "comma") {
        this.ti = save;
        break;
      }
      decl.push(v.val);
      if (!isRange || decl.length > 1) this.fail(after.pos, `too many declarations in ${ctx}`);
      const second = this.peek().type;
      if (second !== "var" && second !== "rdelim" && second !== "rparen") this.fail(this.peek().pos, "range can only initialize variables");
    }
    this.declare(decl, false, 0);
    return { decl, isAssign: false };
  }

  /** Declared variables come into scope; assigned ones must already be in it. */
  private declare(names: string[], isAssign: boolean, pos: number): void {
    if (!isAssign) this.vars[this.vars.length - 1]!.push(...names);
    else for (const d of names) if (!this.defined(d)) this.fail(pos, `undefined variable "${d}"`);
  }

  private parseCommand(ctx: string): Cmd {
    const args: Arg[] = [];
    const pos = this.peek().pos;
    for (;;) {
      const t = this.peek();
      if (t.type === "rdelim" || t.type === "rparen" || t.type === "pipe") break;
      // Go: an operand is followed by a space, a pipe or the end; a field right after one chains onto it.
      if (args.length > 0 && !t.space && t.type !== "field") this.unexpected(t, "operand");
      const op = this.parseOperand(ctx);
      args.push(op);
    }
    if (args.length === 0) this.fail(this.peek().pos, `missing value for ${ctx}`);
    return { pos, args };
  }

  private parseOperand(ctx: string): Arg {
    let node = this.parseTerm(ctx);
    if (this.peek().type === "field" && !this.peek().space) {
      const chainPos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().type === "field" && !this.peek().space) fields.push(this.next().val.slice(1));
      if (node.t === "field") node = { t: "field", pos: chainPos, idents: [...node.idents, ...fields] };
      else if (node.t === "var") node = { t: "var", pos: chainPos, name: node.name, idents: [...node.idents, ...fields] };
      else if (node.t === "bool" || node.t === "string" || node.t === "number" || node.t === "nil" || node.t === "dot")
        this.fail(chainPos, `unexpected . after term "${argString(node)}"`);
      else node = { t: "chain", pos: chainPos, node, fields };
    }
    return node;
  }

  private parseTerm(ctx: string): Arg {
    const t = this.next();
    switch (t.type) {
      case "ident":
        if (!this.isFunc(t.val)) this.fail(t.pos, `function "${t.val}" not defined`);
        return { t: "ident", pos: t.pos, name: t.val };
      case "dot":
        return { t: "dot", pos: t.pos };
      case "nil":
        return { t: "nil", pos: t.pos };
      case "bool":
        return { t: "bool", pos: t.pos, v: t.val === "true" };
      case "var":
        if (!this.defined(t.val)) this.fail(t.pos, `undefined variable "${t.val}"`);
        return { t: "var", pos: t.pos, name: t.val, idents: [] };
      case "field":
        return { t: "field", pos: t.pos, idents: [t.val.slice(1)] };
      case "string":
      case "rawstring":
        return { t: "string", pos: t.pos, v: unquote(t.val, () => this.fail(t.pos, `invalid syntax`)), text: t.val };
      case "char": {
        const s = unquote(`"${t.val.slice(1, -1).replace(/"/g, '\\"')}"`, () => this.fail(t.pos, "invalid syntax"), true);
        // Go's strconv.UnquoteChar: nothing between the quotes is a syntax error, more than one character a malformed constant.
        if (s === "") this.fail(t.pos, "invalid syntax");
        if (!/^.$/su.test(s)) this.fail(t.pos, `malformed character constant: ${t.val}`);
        return { t: "number", pos: t.pos, v: BigInt(s.codePointAt(0) ?? 0), text: t.val };
      }
      case "number": {
        const v = parseNumber(t.val);
        if (v === undefined) this.fail(t.pos, `illegal number syntax: ${goQuote(t.val)}`);
        if (v === "overflow") this.fail(t.pos, `integer overflow: "${t.val}"`);
        return { t: "number", pos: t.pos, v, text: t.val };
      }
      case "lparen": {
        const pipe = this.parsePipe("parenthesized pipeline", false);
        const close = this.next();
        if (close.type !== "rparen") this.fail(close.pos, `unclosed left paren`);
        return { t: "pipe", pos: t.pos, pipe };
      }
      default:
        return this.unexpected(t, ctx === "command" ? "operand" : ctx);
    }
  }
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
