// The function map of Argo CD's ApplicationSet go templates: Go's text/template builtins, the sprig
// functions (sprig.GenericFuncMap minus env, expandenv and getHostByName, which Argo deletes), and
// Argo's own additions: normalize, slugify, toYaml, fromYaml, fromYamlArray.
import { createHash } from "node:crypto";
import YAML from "yaml";
import { semverCompare, parseVersion, versionString } from "./semver.js";
import { goQuote, goSprint, goSprintf, goSprintln, goTypeName, isMap, formatV, GO_STRING, NIL_MAP } from "./values.js";

/** How an argument is checked and converted before the call, like reflect's assignability. */
export type ParamType = "any" | "string" | "int" | "float" | "bool" | "map" | "value";

export interface FuncSpec {
  params: ParamType[];
  variadic?: ParamType;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fn: (...args: any[]) => unknown;
  /** and/or: arguments evaluated on demand. */
  lazy?: (args: (() => unknown)[]) => unknown;
}

function err(msg: string): never {
  throw new Error(msg);
}

// ---------- conversions (sprig's strval, spf13/cast) ----------

export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  return formatV(v);
}

function toInt64(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    const s = v.replace(/\.0*$/, "");
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.test(s)) {
      const neg = s.startsWith("-");
      let body = s.replace(/^[+-]/, "");
      if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
      const r = BigInt(body);
      return neg ? -r : r;
    }
    return 0n;
  }
  return 0n;
}

function toFloat64(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return parseGoFloat(v);
  return 0;
}

/**
 * strconv.ParseFloat as cast.ToFloat64 calls it: Go's decimal syntax (no spaces; underscores between digits),
 * inf, infinity and nan in any case; 0 where it fails or overflows. Hexadecimal floats (0x1p-2) are
 * not read: no ApplicationSet parameter is written that way.
 */
function parseGoFloat(s: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(D\.?(D)?|\.D)([eE][+-]?D)?$/.test(s.replace(/[0-9]+(_[0-9]+)*/g, "D"))) return 0;
  const n = Number(s.replaceAll("_", ""));
  return Number.isFinite(n) ? n : 0;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v.length === 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return v === 0;
  if (typeof v === "bigint") return v === 0n;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * The list argument of sprig's list functions, which switch on reflect.TypeOf(list).Kind(): nil has
 * no type, and Go panics dereferencing it; any other kind is refused in the function's own words.
 */
function asList(v: unknown, refusal: (kind: string) => string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return err("runtime error: invalid memory address or nil pointer dereference");
  return err(refusal(reflectKind(v)));
}

const cannotFind = (fn: string) => (kind: string) => `Cannot find ${fn} on type ${kind}`;
const cannot = (fn: string) => (kind: string) => `Cannot ${fn} on type ${kind}`;

/** reflect.Kind's name: "map", "slice", and an integer is an int (as a constant is). */
function reflectKind(v: unknown): string {
  if (Array.isArray(v)) return "slice";
  return isMap(v) ? "map" : goTypeName(v);
}

function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

// ---------- Go JSON encoding (encoding/json: sorted keys, HTML escaping) ----------

function jsonString(s: string, escapeHTML: boolean): string {
  let out = JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  if (escapeHTML) out = out.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
  return out;
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) err(`json: unsupported value: ${formatV(f)}`);
  return String(f); // JS and Go agree: exponent form only below 1e-6 or from 1e21
}

export function goJSON(v: unknown, escapeHTML: boolean, indent = "", prefix = ""): string {
  if (v === undefined || v === null) return "null";
  switch (typeof v) {
    case "string":
      return jsonString(v, escapeHTML);
    case "number":
      return jsonFloat(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return String(v);
  }
  const nl = indent ? `\n${prefix}${indent}` : "";
  const end = indent ? `\n${prefix}` : "";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[${nl}${v.map((x) => goJSON(x, escapeHTML, indent, prefix + indent)).join(`,${nl}`)}${end}]`;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return "{}";
    const sep = indent ? ": " : ":";
    return `{${nl}${keys.map((k) => jsonString(k, escapeHTML) + sep + goJSON(v[k], escapeHTML, indent, prefix + indent)).join(`,${nl}`)}${end}}`;
  }
  return err(`json: unsupported type: ${typeof v}`);
}

/** Go data → plain JSON data (bigints become numbers), as a JSON round trip would. */
function toPlain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMap(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, toPlain(v[k])]),
    );
  return v;
}

// ---------- YAML (sigs.k8s.io/yaml, go-yaml v2 flavour) ----------

export function goToYAML(v: unknown): string {
  const plain = toPlain(v);
  const text = YAML.stringify(plain, { version: "1.1", indentSeq: false, lineWidth: 0, sortMapEntries: true });
  return text;
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

export function parseGoYAML(str: string): unknown {
  // go-yaml v2 (YAML 1.1 booleans, octals, merge keys), but timestamps and base-60 numbers decode as
  // strings into interface{}, as yaml.v2 does.
  const doc = YAML.parseDocument(str, {
    version: "1.1",
    uniqueKeys: false,
    customTags: (tags) => tags.filter((t) => !(typeof t === "object" && (t.format === "TIME" || t.tag === "tag:yaml.org,2002:timestamp"))),
  });
  if (doc.errors.length > 0) err(`error converting YAML to JSON: yaml: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

function fromYAML(str: string): Record<string, unknown> {
  const v = parseGoYAML(str);
  if (v === null || v === undefined) return {};
  if (!isMap(v)) err(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`);
  return v;
}

function fromYAMLArray(str: string): unknown[] {
  const v = parseGoYAML(str);
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) err(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(v)} into Go value of type []interface {}`);
  return v;
}

// ---------- regular expressions (RE2 syntax → JS) ----------

function goRegexp(re: string): RegExp {
  let flags = "u";
  let src = re;
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]!) if (f !== "U" && !flags.includes(f)) flags += f;
  }
  src = src
    .replace(/\(\?P</g, "(?<")
    .replace(/\\z/g, "$(?![\\s\\S])")
    .replace(/\\A/g, "^");
  try {
    return new RegExp(src, `${flags}g`);
  } catch (e) {
    return err(`error parsing regexp: ${e instanceof Error ? e.message : String(e)}: \`${re}\``);
  }
}

/** regexp.Expand-style replacement: $1, ${1}, $name, ${name}, $$. */
function goExpand(repl: string, match: RegExpExecArray): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === "$") return "$";
    const name = (braced ?? bare)!;
    if (/^\d+$/.test(name)) return match[Number(name)] ?? "";
    return match.groups?.[name] ?? "";
  });
}

function regexReplaceAll(re: string, s: string, repl: string, literal: boolean): string {
  const rx = goRegexp(re);
  return s.replace(rx, (...args: unknown[]) => {
    if (literal) return repl;
    const groupsObj = typeof args[args.length - 1] === "object" ? (args[args.length - 1] as Record<string, string>) : undefined;
    const captures = args.slice(0, groupsObj ? -3 : -2) as string[];
    const m = Object.assign([...captures], { groups: groupsObj, index: 0, input: s }) as unknown as RegExpExecArray;
    return goExpand(repl, m);
  });
}

// ---------- Go builtins ----------

type Kind = "bool" | "int" | "float" | "string" | "invalid" | "other";
function basicKind(v: unknown): Kind {
  if (v === undefined || v === null) return "invalid";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "other";
}

function goEq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) err("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (a !== undefined && a !== null && b !== undefined && b !== null) incompatible(a, b);
      continue;
    }
    if (k1 === "other") {
      // Lists and maps: Go compares them only when both are nil, and says so with %s of the values.
      if (reflectKind(a) !== reflectKind(b)) err(goSprintf("non-comparable types %s: %v, %s: %v", [a, goTypeName(a), goTypeName(b), b]));
      if (Array.isArray(b) || isMap(b)) err(goSprintf("non-comparable type %s: %v", [b, goTypeName(b)]));
      if (a === b) return true;
      continue;
    }
    // A missing value, a nil literal and a JSON null are all nil once Go unwraps the interface.
    if (k1 === "invalid") return true;
    if (a === b) return true;
  }
  return false;
}

/** A failed type assertion's name for the value: a nil interface is "nil" there. */
function conversionType(v: unknown): string {
  return v === undefined || v === null ? "nil" : goTypeName(v);
}

function incompatible(a: unknown, b: unknown): never {
  return err(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
}

function goLt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k1 === "other" || k2 === "invalid" || k2 === "other") err("invalid type for comparison");
  if (k1 !== k2) incompatible(a, b);
  if (k1 === "bool") err("invalid type for comparison");
  return (a as number) < (b as number);
}

function goIndex(item: unknown, ...indexes: unknown[]): unknown {
  let v = item;
  if (v === undefined || v === null) err("index of untyped nil");
  for (const ix of indexes) {
    if (v === undefined || v === null) err("index of nil pointer");
    if (Array.isArray(v) || typeof v === "string") {
      if (ix === undefined || ix === null) err("cannot index slice/array with nil");
      if (typeof ix !== "bigint") err(`cannot index slice/array with type ${goTypeName(ix)}`);
      const len = typeof v === "string" ? Buffer.byteLength(v) : v.length;
      const i = Number(ix);
      if (i < 0 || i > len) err(`index out of range: ${i}`);
      // Go's bounds check lets the length itself through, and reflect refuses it.
      if (i === len) err(`reflect: ${typeof v === "string" ? "string" : "slice"} index out of range`);
      v = typeof v === "string" ? BigInt(Buffer.from(v)[i] ?? 0) : v[i];
    } else if (isMap(v)) {
      if (ix === undefined || ix === null) err("value is nil; should be of type string");
      if (typeof ix !== "string") err(`value has type ${goTypeName(ix)}; should be string`);
      v = Object.prototype.hasOwnProperty.call(v, ix) ? v[ix] : null;
    } else err(`can't index item of type ${goTypeName(v)}`);
  }
  return v;
}

function goLen(v: unknown): bigint {
  if (v === undefined || v === null) err("len of nil pointer");
  if (typeof v === "string") return BigInt(Buffer.byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  return err(`len of type ${goTypeName(v)}`);
}

/**
 * sprig's `slice`, which replaces Go's builtin in the function map Argo CD builds: lists only, the
 * indexes converted as cast.ToInt converts them, an empty list slicing to nil.
 */
function sprigSlice(list: unknown, ...indexes: unknown[]): unknown {
  const l = asList(list, (kind) => `list should be type of slice or array but ${kind}`);
  if (l.length === 0) return null;
  const start = indexes.length > 0 ? Number(toInt64(indexes[0])) : 0;
  const end = indexes.length < 2 ? l.length : Number(toInt64(indexes[1]));
  if (start < 0 || start > end || end > l.length) return err("reflect.Value.Slice: slice index out of bounds");
  return l.slice(start, end);
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\uFFFD" })[c]!);
}

/**
 * Go's `and` (stops at the first false argument) and `or` (at the first true one): arguments are
 * evaluated lazily, and the last one evaluated is the result.
 */
function shortCircuit(stopWhen: boolean): FuncSpec {
  return {
    params: ["value"],
    variadic: "value",
    fn: () => undefined,
    lazy: (args) => {
      let v: unknown;
      for (const a of args) {
        v = a();
        if (truthOf(v) === stopWhen) return v;
      }
      return v;
    },
  };
}

/** sprig's merge (keeps what dst has) and mergeOverwrite (sources win), both into dst. */
function mergeFunc(overwrite: boolean): FuncSpec {
  return {
    params: ["map"],
    variadic: "map",
    fn: (dst: Record<string, unknown> | null, ...srcs: (Record<string, unknown> | null)[]) => {
      // mergo gives a nil destination a map of its own.
      const d = dst === null || dst === NIL_MAP ? {} : dst;
      for (const src of srcs) if (src) mergeInto(d, src, overwrite);
      return d;
    },
  };
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "<") out += "\\u003C";
    else if (ch === ">") out += "\\u003E";
    else if (ch === "&") out += "\\u0026";
    else if (ch === "=") out += "\\u003D";
    else if (c < 0x20) out += `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

function queryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's text/template evalArgs for html/js/urlquery: a single string is used as is, else fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  // Go prints a nil argument as "<no value>" here (printableValue), not fmt's "<nil>".
  return goSprint(args.map((a) => a ?? "<no value>"));
}

// ---------- sprig helpers ----------

/**
 * Maps each character as Go's unicode.ToUpper/ToLower do: one rune to one rune, so a character whose
 * JavaScript mapping expands ("ß" upper-cases to "SS") stays as it is.
 */
function mapRunes(s: string, map: (rune: string) => string): string {
  let out = "";
  for (const ch of s) {
    const mapped = map(ch);
    out += /^.$/su.test(mapped) ? mapped : ch;
  }
  return out;
}

function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    const sep = !/[\p{L}\p{N}_]/u.test(prev);
    out += sep ? mapRunes(ch, (r) => r.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

function goTrim(s: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

/** Go's strings.TrimSpace. */
function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, "");
}

function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const d = dst[k];
    if (isMap(d) && isMap(v)) mergeInto(d, v, overwrite);
    else if (!(k in dst) || (overwrite ? !isEmpty(v) : isEmpty(d))) dst[k] = v;
  }
}

/** Argo CD's normalize (SanitizeName): lower case, invalid DNS characters → '-', ≤ 253, trim '-' and '.'. */
export function sanitizeName(name: string): string {
  // Per code point, as Go's ToLower and regexp work on runes: U+0130 lowers to "i" alone in Go's simple case mapping.
  let n = name
    .replace(/\u0130/g, "i")
    .toLowerCase()
    .replace(/[^-a-z0-9.]/gu, "-");
  if (n.length > 253) n = n.slice(0, 253);
  return n.replace(/^[-.]+|[-.]+$/g, "");
}

/**
 * Argo's slugify([maxSize int], [smartTruncate bool], name string): SanitizeName, then gosimple/slug's
 * Make (ASCII input after sanitizing, so no transliteration is needed) with MaxLength and smart truncation.
 */
function slugify(...args: unknown[]): string {
  let maxSize = 50;
  let smart = true;
  let name = "";
  for (const [i, a] of args.entries()) {
    if (i === args.length - 1) {
      if (typeof a !== "string") err(`interface conversion: interface {} is ${conversionType(a)}, not string`);
      name = a;
    } else if (i === 0) {
      if (typeof a !== "bigint") err(`interface conversion: interface {} is ${conversionType(a)}, not int`);
      maxSize = Number(a);
    } else if (i === 1) {
      if (typeof a !== "boolean") err(`interface conversion: interface {} is ${conversionType(a)}, not bool`);
      smart = a;
    }
  }
  let slug = sanitizeName(name).trim();
  if (!smart && maxSize > 0 && slug.length >= maxSize) slug = slug.slice(0, maxSize);
  slug = slug
    .replace(/[^a-zA-Z0-9\-_]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  if (maxSize > 0 && smart && slug.length > maxSize) {
    let cut = -1;
    for (let i = maxSize; i >= 0; i--) {
      if (slug[i] === "-") {
        cut = i;
        break;
      }
    }
    slug = cut >= 0 ? slug.slice(0, cut) : slug.slice(0, maxSize);
  }
  return slug;
}

function cmpInts(a: unknown, rest: unknown[], pick: (x: bigint, y: bigint) => boolean): bigint {
  let r = toInt64(a);
  for (const v of rest) {
    const n = toInt64(v);
    if (pick(n, r)) r = n;
  }
  return r;
}

const s = (fn: (...a: string[]) => unknown, n: number): FuncSpec => ({ params: Array<ParamType>(n).fill("string"), fn });

export const FUNCS: Record<string, FuncSpec> = {
  // --- Go text/template builtins ---
  and: shortCircuit(false),
  or: shortCircuit(true),
  not: { params: ["value"], fn: (v: unknown) => !truthOf(v) },
  len: { params: ["value"], fn: goLen },
  index: { params: ["value"], variadic: "value", fn: goIndex },
  // sprig's slice, not Go's: sprig's function map replaces the builtin in Argo CD's templates.
  slice: { params: ["any"], variadic: "any", fn: sprigSlice },
  print: { params: [], variadic: "any", fn: (...a: unknown[]) => goSprint(a) },
  printf: { params: ["string"], variadic: "any", fn: (f: string, ...a: unknown[]) => goSprintf(f, a) },
  println: { params: [], variadic: "any", fn: (...a: unknown[]) => goSprintln(a) },
  eq: { params: ["value"], variadic: "value", fn: goEq },
  ne: { params: ["value", "value"], fn: (a: unknown, b: unknown) => !goEq(a, b) },
  lt: { params: ["value", "value"], fn: goLt },
  le: { params: ["value", "value"], fn: (a: unknown, b: unknown) => goLt(a, b) || goEq(a, b) },
  gt: { params: ["value", "value"], fn: (a: unknown, b: unknown) => !goLt(a, b) && !goEq(a, b) },
  ge: { params: ["value", "value"], fn: (a: unknown, b: unknown) => !goLt(a, b) },
  html: { params: [], variadic: "value", fn: (...a: unknown[]) => htmlEscape(evalArgs(a)) },
  js: { params: [], variadic: "value", fn: (...a: unknown[]) => jsEscape(evalArgs(a)) },
  urlquery: { params: [], variadic: "value", fn: (...a: unknown[]) => queryEscape(evalArgs(a)) },

  // --- sprig: defaults and flow ---
  default: {
    params: ["any"],
    variadic: "any",
    fn: (d: unknown, ...given: unknown[]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]),
  },
  empty: { params: ["any"], fn: isEmpty },
  coalesce: { params: [], variadic: "any", fn: (...v: unknown[]) => v.find((x) => !isEmpty(x)) ?? null },
  ternary: { params: ["any", "any", "bool"], fn: (a: unknown, b: unknown, c: boolean) => (c ? a : b) },
  fail: { params: ["string"], fn: (m: string) => err(m) },
  all: { params: [], variadic: "any", fn: (...v: unknown[]) => v.every((x) => !isEmpty(x)) },
  any: { params: [], variadic: "any", fn: (...v: unknown[]) => v.some((x) => !isEmpty(x)) },

  // --- sprig: strings ---
  lower: s((x) => mapRunes(x, (r) => r.toLowerCase()), 1),
  upper: s((x) => mapRunes(x, (r) => r.toUpperCase()), 1),
  title: s(title, 1),
  untitle: s((x) => x.replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, a: string, b: string) => a + b.toLowerCase()), 1),
  trim: s(trimSpace, 1),
  trimAll: s((cut, x) => goTrim(x, cut), 2),
  trimSuffix: s((suf, x) => (suf !== "" && x.endsWith(suf) ? x.slice(0, -suf.length) : x), 2),
  trimPrefix: s((pre, x) => (x.startsWith(pre) ? x.slice(pre.length) : x), 2),
  replace: s((o, n, src) => (o === "" ? Array.from(src).reduce((acc, ch) => acc + ch + n, n) : src.split(o).join(n)), 3),
  repeat: {
    params: ["int", "string"],
    fn: (n: bigint, x: string) =>
      n < 0n ? err("strings: negative Repeat count") : BigInt(x.length) * n > 8_388_608n ? err("repeat: result too large") : x.repeat(Number(n)),
  },
  substr: {
    params: ["int", "int", "string"],
    fn: (a: bigint, b: bigint, x: string) => {
      const [start, end] = [Number(a), Number(b)];
      // sprig slices the string as Go does, and Go refuses bounds out of order or past the end.
      const cut = (lo: number, hi: number) => (lo > hi || hi > x.length || hi < 0 ? err(`slice bounds out of range [${lo}:${hi}]`) : x.slice(lo, hi));
      if (start < 0) return cut(0, end);
      if (end < 0 || end > x.length) return cut(start, x.length);
      return cut(start, end);
    },
  },
  trunc: {
    params: ["int", "string"],
    fn: (c: bigint, x: string) => {
      const n = Number(c);
      if (n < 0 && x.length + n > 0) return x.slice(x.length + n);
      if (n >= 0 && x.length > n) return x.slice(0, n);
      return x;
    },
  },
  nospace: s((x) => x.replace(/\s/gu, ""), 1),
  contains: s((sub, x) => x.includes(sub), 2),
  hasPrefix: s((p, x) => x.startsWith(p), 2),
  hasSuffix: s((p, x) => x.endsWith(p), 2),
  quote: {
    params: [],
    variadic: "any",
    fn: (...v: unknown[]) =>
      v
        .filter((x) => x !== null && x !== undefined)
        .map((x) => goQuote(strval(x)))
        .join(" "),
  },
  squote: {
    params: [],
    variadic: "any",
    fn: (...v: unknown[]) =>
      v
        .filter((x) => x !== null && x !== undefined)
        .map((x) => `'${strval(x)}'`)
        .join(" "),
  },
  cat: {
    params: [],
    variadic: "any",
    fn: (...v: unknown[]) =>
      v
        .filter((x) => x !== null && x !== undefined)
        .map((x) => formatV(x))
        .join(" "),
  },
  indent: { params: ["int", "string"], fn: (n: bigint, x: string) => indent(Number(n), x) },
  nindent: { params: ["int", "string"], fn: (n: bigint, x: string) => `\n${indent(Number(n), x)}` },
  plural: { params: ["string", "string", "int"], fn: (one: string, many: string, n: bigint) => (n === 1n ? one : many) },
  split: s((sep, x) => Object.fromEntries(goSplit(x, sep).map((p, i) => [`_${i}`, p])), 2),
  splitList: s((sep, x) => goSplit(x, sep), 2),
  splitn: {
    params: ["string", "int", "string"],
    fn: (sep: string, n: bigint, x: string) => {
      const parts = goSplit(x, sep);
      const k = Number(n);
      const out = k < 0 || parts.length <= k ? parts : [...parts.slice(0, k - 1), parts.slice(k - 1).join(sep)];
      return Object.fromEntries(out.map((p, i) => [`_${i}`, p]));
    },
  },
  join: { params: ["string", "any"], fn: (sep: string, v: unknown) => strslice(v).join(sep) },
  toString: { params: ["any"] as ParamType[], fn: strval },
  toStrings: { params: ["any"], fn: strslice },
  toJson: { params: ["any"], fn: (v: unknown) => safeJSON(() => goJSON(v, true)) },
  toPrettyJson: { params: ["any"], fn: (v: unknown) => safeJSON(() => goJSON(v, true, "  ")) },
  toRawJson: { params: ["any"], fn: (v: unknown) => safeJSON(() => goJSON(v, false)) },
  mustToJson: { params: ["any"], fn: (v: unknown) => goJSON(v, true) },
  fromJson: { params: ["string"], fn: (x: string) => safeParse(x) },
  mustFromJson: { params: ["string"], fn: (x: string) => JSON.parse(x) as unknown },
  b64enc: s((x) => Buffer.from(x, "utf8").toString("base64"), 1),
  b64dec: s((x) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(x) || x.length % 4 !== 0) return `illegal base64 data at input byte ${Math.max(0, x.search(/[^A-Za-z0-9+/=]/))}`;
    return Buffer.from(x, "base64").toString("utf8");
  }, 1),
  b32enc: s((x) => base32(Buffer.from(x, "utf8")), 1),
  sha256sum: s((x) => createHash("sha256").update(x, "utf8").digest("hex"), 1),
  sha1sum: s((x) => createHash("sha1").update(x, "utf8").digest("hex"), 1),
  sha512sum: s((x) => createHash("sha512").update(x, "utf8").digest("hex"), 1),
  regexMatch: s((re, x) => {
    try {
      return goRegexp(re).test(x);
    } catch {
      return false;
    }
  }, 2),
  mustRegexMatch: s((re, x) => goRegexp(re).test(x), 2),
  regexFind: s((re, x) => goRegexp(re).exec(x)?.[0] ?? "", 2),
  regexFindAll: {
    params: ["string", "string", "int"],
    fn: (re: string, x: string, n: bigint) => {
      const all = Array.from(x.matchAll(goRegexp(re)), (m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    },
  },
  regexReplaceAll: s((re, x, repl) => regexReplaceAll(re, x, repl, false), 3),
  regexReplaceAllLiteral: s((re, x, repl) => regexReplaceAll(re, x, repl, true), 3),
  regexSplit: {
    params: ["string", "string", "int"],
    fn: (re: string, x: string, n: bigint) => {
      const parts = x.split(goRegexp(re));
      return n < 0n ? parts : parts.slice(0, Number(n));
    },
  },
  regexQuoteMeta: s((x) => x.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&"), 1),

  // --- sprig: numbers ---
  atoi: s((x) => (/^[+-]?\d+$/.test(x) ? BigInt(x) : 0n), 1),
  int: { params: ["any"], fn: toInt64 },
  int64: { params: ["any"], fn: toInt64 },
  float64: { params: ["any"], fn: toFloat64 },
  add: { params: [], variadic: "any", fn: (...v: unknown[]) => v.reduce<bigint>((a, b) => a + toInt64(b), 0n) },
  add1: { params: ["any"], fn: (a: unknown) => toInt64(a) + 1n },
  sub: { params: ["any", "any"], fn: (a: unknown, b: unknown) => toInt64(a) - toInt64(b) },
  mul: { params: ["any"], variadic: "any", fn: (a: unknown, ...v: unknown[]) => v.reduce<bigint>((x, y) => x * toInt64(y), toInt64(a)) },
  div: {
    params: ["any", "any"],
    fn: (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0n) err("runtime error: integer divide by zero");
      return toInt64(a) / d;
    },
  },
  mod: {
    params: ["any", "any"],
    fn: (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0n) err("runtime error: integer divide by zero");
      return toInt64(a) % d;
    },
  },
  max: { params: ["any"], variadic: "any", fn: (a: unknown, ...v: unknown[]) => cmpInts(a, v, (n, r) => n > r) },
  min: { params: ["any"], variadic: "any", fn: (a: unknown, ...v: unknown[]) => cmpInts(a, v, (n, r) => n < r) },
  until: { params: ["int"], fn: (n: bigint) => untilStep(0n, n, n < 0n ? -1n : 1n) },
  untilStep: { params: ["int", "int", "int"], fn: untilStep },

  // --- sprig: lists ---
  list: { params: [], variadic: "any", fn: (...v: unknown[]) => v },
  first: { params: ["any"], fn: (l: unknown) => (asList(l, cannotFind("first")).length === 0 ? null : (l as unknown[])[0]) },
  last: { params: ["any"], fn: (l: unknown) => (asList(l, cannotFind("last")).length === 0 ? null : (l as unknown[])[(l as unknown[]).length - 1]) },
  rest: { params: ["any"], fn: (l: unknown) => (asList(l, cannotFind("rest")).length === 0 ? null : (l as unknown[]).slice(1)) },
  initial: { params: ["any"], fn: (l: unknown) => (asList(l, cannotFind("initial")).length === 0 ? null : (l as unknown[]).slice(0, -1)) },
  append: { params: ["any", "any"], fn: (l: unknown, v: unknown) => [...asList(l, cannot("push")), v] },
  push: { params: ["any", "any"], fn: (l: unknown, v: unknown) => [...asList(l, cannot("push")), v] },
  prepend: { params: ["any", "any"], fn: (l: unknown, v: unknown) => [v, ...asList(l, cannot("prepend"))] },
  concat: { params: [], variadic: "any", fn: (...ls: unknown[]) => ls.flatMap((l) => asList(l, (kind) => `Cannot concat type ${kind} as list`)) },
  reverse: { params: ["any"], fn: (l: unknown) => [...asList(l, cannotFind("reverse"))].reverse() },
  uniq: {
    params: ["any"],
    fn: (l: unknown) => {
      const out: unknown[] = [];
      for (const x of asList(l, cannotFind("uniq"))) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    },
  },
  compact: { params: ["any"], fn: (l: unknown) => asList(l, cannot("compact")).filter((x) => !isEmpty(x)) },
  has: { params: ["any", "any"], fn: (needle: unknown, l: unknown) => (l === null ? false : asList(l, cannotFind("has")).some((x) => deepEqual(x, needle))) },
  without: {
    params: ["any"],
    variadic: "any",
    fn: (l: unknown, ...omit: unknown[]) => asList(l, cannotFind("without")).filter((x) => !omit.some((o) => deepEqual(o, x))),
  },
  sortAlpha: { params: ["any"], fn: (l: unknown) => (Array.isArray(l) ? strslice(l).sort() : [strval(l)]) },

  // --- sprig: dicts ---
  dict: {
    params: [],
    variadic: "any",
    fn: (...v: unknown[]) => {
      const d: Record<string, unknown> = {};
      for (let i = 0; i < v.length; i += 2) d[strval(v[i])] = i + 1 < v.length ? v[i + 1] : "";
      return d;
    },
  },
  get: { params: ["map", "string"], fn: (d: Record<string, unknown> | null, k: string) => (d && Object.prototype.hasOwnProperty.call(d, k) ? d[k] : "") },
  set: {
    params: ["map", "string", "any"],
    fn: (d: Record<string, unknown> | null, k: string, v: unknown) => {
      if (!d || d === NIL_MAP) return err("assignment to entry in nil map");
      d[k] = v;
      return d;
    },
  },
  unset: {
    params: ["map", "string"],
    fn: (d: Record<string, unknown> | null, k: string) => {
      if (d) Reflect.deleteProperty(d, k);
      return d;
    },
  },
  hasKey: { params: ["map", "string"], fn: (d: Record<string, unknown> | null, k: string) => !!d && Object.prototype.hasOwnProperty.call(d, k) },
  keys: { params: [], variadic: "map", fn: (...ds: (Record<string, unknown> | null)[]) => ds.flatMap((d) => Object.keys(d ?? {})) },
  values: { params: ["map"], fn: (d: Record<string, unknown> | null) => Object.values(d ?? {}) },
  pick: {
    params: ["map"],
    variadic: "string",
    fn: (d: Record<string, unknown> | null, ...ks: string[]) => Object.fromEntries(ks.filter((k) => d && k in d).map((k) => [k, d![k]])),
  },
  omit: {
    params: ["map"],
    variadic: "string",
    fn: (d: Record<string, unknown> | null, ...ks: string[]) => Object.fromEntries(Object.entries(d ?? {}).filter(([k]) => !ks.includes(k))),
  },
  pluck: {
    params: ["string"],
    variadic: "map",
    fn: (k: string, ...ds: (Record<string, unknown> | null)[]) => ds.filter((d) => d && Object.prototype.hasOwnProperty.call(d, k)).map((d) => d![k]),
  },
  merge: mergeFunc(false),
  mergeOverwrite: mergeFunc(true),
  dig: {
    params: ["any"],
    variadic: "any",
    fn: (...args: unknown[]) => {
      if (args.length < 3) err("dig needs at least three arguments");
      const [dict, dflt, ks] = [args[args.length - 1], args[args.length - 2], args.slice(0, -2)];
      // sprig asserts each type: the dict and every step but the last a map, every key a string.
      if (!isMap(dict)) err(`interface conversion: interface {} is ${conversionType(dict)}, not map[string]interface {}`);
      for (const k of ks) if (typeof k !== "string") err(`interface conversion: interface {} is ${conversionType(k)}, not string`);
      let cur: unknown = dict;
      for (const k of ks as string[]) {
        if (!isMap(cur)) err(`interface conversion: interface {} is ${conversionType(cur)}, not map[string]interface {}`);
        if (!Object.prototype.hasOwnProperty.call(cur, k)) return dflt;
        cur = cur[k];
      }
      return cur;
    },
  },
  deepCopy: {
    params: ["any"],
    fn: (v: unknown) => (v === undefined || v === null ? err("reflect: call of reflect.Value.Type on zero Value") : structuredClone(v)),
  },

  // --- sprig: types ---
  kindOf: { params: ["any"], fn: kindOf },
  kindIs: { params: ["string", "any"], fn: (k: string, v: unknown) => kindOf(v) === k },
  typeOf: { params: ["any"], fn: (v: unknown) => goTypeName(v) },
  typeIs: { params: ["string", "any"], fn: (t: string, v: unknown) => goTypeName(v) === t },
  deepEqual: { params: ["any", "any"], fn: deepEqual },

  // --- sprig: semver ---
  semverCompare: { params: ["string", "string"], fn: semverCompare },
  semver: {
    params: ["string"],
    fn: (v: string) => {
      const p = parseVersion(v);
      const text = versionString(p);
      // *semver.Version's fields and argument-less methods a template can read; it prints as its String().
      return { Major: p.major, Minor: p.minor, Patch: p.patch, Prerelease: p.pre, Metadata: p.meta, Original: v, String: text, [GO_STRING]: text };
    },
  },

  // --- Argo CD's additions ---
  normalize: { params: ["string"], fn: sanitizeName },
  slugify: { params: [], variadic: "any", fn: slugify },
  toYaml: {
    params: ["any"],
    fn: (v: unknown) => goToYAML(v).replace(/\n$/, ""),
  },
  fromYaml: { params: ["string"], fn: fromYAML },
  fromYamlArray: { params: ["string"], fn: fromYAMLArray },
};

function truthOf(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  return !isEmpty(v);
}

function indent(n: number, x: string): string {
  if (n < 0) err("strings: negative Repeat count");
  const padding = " ".repeat(n);
  return padding + x.split("\n").join(`\n${padding}`);
}

function goSplit(x: string, sep: string): string[] {
  if (sep === "") return Array.from(x);
  return x.split(sep);
}

function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (step === 0n) return out;
  const count = (stop - start) / step;
  if (count > 1_000_000n) err("until: too many items");
  if (step > 0n) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

function safeJSON(f: () => string): string {
  try {
    return f();
  } catch {
    return "";
  }
}

function safeParse(x: string): unknown {
  try {
    return JSON.parse(x) as unknown;
  } catch {
    return null;
  }
}

function kindOf(v: unknown): string {
  if (v === undefined || v === null) return "invalid";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bigint":
      return "int64";
    case "boolean":
      return "bool";
  }
  return Array.isArray(v) ? "slice" : "map";
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function base32(buf: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]!;
  while (out.length % 8 !== 0) out += "=";
  return out;
}
