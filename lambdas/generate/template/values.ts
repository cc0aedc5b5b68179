// Go value model for the template engine, and Go's fmt printing of those values.
//
// JS values stand for the Go values Argo CD's ApplicationSet controller passes to text/template:
//   undefined → an invalid reflect.Value (a missing map key with missingkey=default/invalid)
//   null      → a nil interface{} (JSON null, or a missing key with missingkey=zero)
//   number    → float64 (every number in Argo's params comes from JSON, so it is a float64)
//   bigint    → int / int64 (template integer constants, len, atoi, sprig arithmetic)
//   string, boolean, arrays ([]interface{}), plain objects (map[string]interface{}).

export type GoValue = unknown;

/** The text fmt prints for a value with a String method (sprig's semver): kept under this key, which its fields do not list. */
export const GO_STRING = Symbol("String");

/** A nil map[string]interface{}: what a map parameter receives for a missing value or nil; empty, and refuses writes. */
export const NIL_MAP: Record<string, unknown> = Object.freeze({});

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's type name of a value, as text/template's errors print it. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "function":
      return "func";
  }
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** fmt's %v of a float64: strconv's shortest %g, in exponent form from 1e+06 and below 1e-04. */
export function formatFloatV(f: number): string {
  return formatFloat(f, "g", -1);
}

interface Decimal {
  /** The significant digits, trailing zeros dropped: none for zero. */
  digits: string;
  /** Where the decimal point goes: 0.0125 is "125" with the point at -1. */
  point: number;
}

/** A float64's decimal digits: `significant` of them, rounded, else as many as read back the same float. */
function decimal(f: number, significant?: number): Decimal {
  const [mantissa = "", exponent] = Math.abs(f)
    .toExponential(significant === undefined ? undefined : significant - 1)
    .split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "");
  return { digits, point: digits === "" ? 0 : Number(exponent) + 1 };
}

/** strconv's %e of decimal digits: one digit, `prec` after the point, an exponent of two digits at least. */
function exponentForm({ digits, point }: Decimal, prec: number, e: string): string {
  const fraction = prec > 0 ? `.${digits.slice(1, prec + 1).padEnd(prec, "0")}` : "";
  const exp = digits === "" ? 0 : point - 1;
  return `${digits[0] ?? "0"}${fraction}${e}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** strconv's %f of decimal digits, with `prec` after the point. */
function pointForm({ digits, point }: Decimal, prec: number): string {
  const whole = point > 0 ? digits.slice(0, point).padEnd(point, "0") : "0";
  const fraction = Array.from({ length: prec }, (_, i) => digits[point + i] ?? "0").join("");
  return prec > 0 ? `${whole}.${fraction}` : whole;
}

/** %f of a float64's magnitude. toFixed turns to exponents from 1e21, where a float64 is an integer: exact as a BigInt. */
function fixed(a: number, prec: number): string {
  if (a < 1e21) return a.toFixed(prec);
  return prec > 0 ? `${BigInt(a)}.${"0".repeat(prec)}` : String(BigInt(a));
}

/** strconv.FormatFloat(f, verb, prec, 64) for the verbs fmt passes it (e E f g G b x X); prec -1 asks for the shortest digits that read back. */
function formatFloat(f: number, verb: string, prec: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (verb === "b") return floatBinary(f);
  if (verb === "x" || verb === "X") return floatHex(f, verb === "X");
  const sign = f < 0 || Object.is(f, -0) ? "-" : "";
  const e = verb === "E" || verb === "G" ? "E" : "e";
  if (verb === "f") return sign + fixed(Math.abs(f), prec);
  if (verb === "e" || verb === "E") return sign + exponentForm(decimal(f, prec + 1), prec, e);
  // %g: as %e when the exponent is below -4 or reaches the precision (6 for the shortest), else as %f.
  const shortest = prec < 0;
  const digs = decimal(f, shortest ? undefined : Math.max(prec, 1));
  const count = shortest ? digs.digits.length : Math.max(prec, 1);
  const eprec = shortest ? 6 : count > digs.digits.length && digs.digits.length >= digs.point ? digs.digits.length : count;
  const exp = digs.point - 1;
  if (exp < -4 || exp >= eprec) return sign + exponentForm(digs, Math.min(count, digs.digits.length) - 1, e);
  return sign + pointForm(digs, Math.max((count > digs.point ? digs.digits.length : count) - digs.point, 0));
}

/** fmt.Sprint of one value (%v). */
export function formatV(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatFloatV(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return `[${v.map((x) => formatV(x)).join(" ")}]`;
  if (isMap(v)) {
    if (GO_STRING in v) return String(v[GO_STRING]);
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatV(v[k])}`).join(" ")}]`;
  }
  // Only a symbol or a function is left: each prints through its own toString.
  return (v as symbol | (() => unknown)).toString();
}

/** fmt.Sprint(args...): spaces between operands when neither side is a string. */
export function goSprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatV(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, newline at the end. */
export function goSprintln(args: unknown[]): string {
  return `${args.map((a) => formatV(a)).join(" ")}\n`;
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space (by this runtime's Unicode version, which may be newer than Go's). */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const C_ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };

/** strconv's escape of one character between `quote`s: printable ones as they are (ASCII ones only, when `ascii`), then C escapes, \x, \u or \U. */
function escapeRune(ch: string, quote: string, ascii: boolean): string {
  const c = ch.codePointAt(0) ?? 0;
  if (ch === quote || ch === "\\") return `\\${ch}`;
  if (PRINTABLE.test(ch) && (!ascii || c < 0x80)) return ch;
  const named = C_ESCAPES[ch];
  if (named !== undefined) return named;
  if (c < 0x20 || c === 0x7f) return `\\x${c.toString(16).padStart(2, "0")}`;
  return c < 0x10000 ? `\\u${c.toString(16).padStart(4, "0")}` : `\\U${c.toString(16).padStart(8, "0")}`;
}

/** strconv.Quote, or strconv.QuoteToASCII when `ascii`. */
export function goQuote(s: string, ascii = false): string {
  return `"${Array.from(s, (ch) => escapeRune(ch, '"', ascii)).join("")}"`;
}

/** strconv.CanBackquote: no control character but tab, no backquote, no byte order mark. */
function canBackquote(s: string): boolean {
  return Array.from(s).every((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return (c >= 0x20 || ch === "\t") && c !== 0x7f && ch !== "`" && ch !== "\ufeff";
  });
}

/** One `%…` directive: its flags, width, precision and verb; `next` is the index after it. */
interface Directive {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  sharp: boolean;
  /** %+v and %#v: fmt moves the + and # of a %v here, so that neither signs numbers nor prefixes them. */
  plusV: boolean;
  sharpV: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string | undefined;
  next: number;
}

/** Reads the directive whose `%` is just before `i`, as fmt does: flags, width, `.precision`, verb. */
function readDirective(format: string, i: number): Directive {
  const d: Directive = {
    ...{ minus: false, plus: false, zero: false, space: false, sharp: false, plusV: false, sharpV: false },
    ...{ width: undefined, prec: undefined, verb: undefined, next: i },
  };
  for (; i < format.length; i++) {
    const f = format[i];
    if (f === "-") d.minus = true;
    else if (f === "+") d.plus = true;
    else if (f === "0") d.zero = true;
    else if (f === " ") d.space = true;
    else if (f === "#") d.sharp = true;
    else break;
  }
  const wm = /^\d+/.exec(format.slice(i));
  if (wm) {
    d.width = Number(wm[0]);
    i += wm[0].length;
  }
  // A `.` that ends the format is its verb, not a precision.
  if (format[i] === "." && i + 1 < format.length) {
    const pm = /^\d*/.exec(format.slice(i + 1))![0];
    d.prec = Number(pm);
    i += 1 + pm.length;
  }
  const verb = format.codePointAt(i);
  d.verb = verb === undefined ? undefined : String.fromCodePoint(verb);
  d.next = i + (d.verb?.length ?? 0);
  if (d.verb === "v") {
    [d.plusV, d.plus, d.sharpV, d.sharp] = [d.plus, false, d.sharp, false];
  }
  return d;
}

/** fmt's padding of one formatted value to the directive's width, in characters: zeros (the 0 flag) or spaces on the left, spaces on the right (-). */
function pad(s: string, d: Directive): string {
  const fill = (d.width ?? 0) - Array.from(s).length;
  if (fill <= 0) return s;
  return d.minus ? s + " ".repeat(fill) : (d.zero ? "0" : " ").repeat(fill) + s;
}

/** The directive without its 0 flag: for what fmt pads with spaces only. */
const spaced = (d: Directive): Directive => ({ ...d, zero: false });

/** fmt's output for an argument its verb cannot format, e.g. %!d(string=foo): the value as %v prints it under the same flags and width. */
function badVerb(d: Directive, verb: string, a: unknown): string {
  if (a === undefined || a === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(a)}=${printArg(d, "v", a, 0)})`;
}

/** fmt's fmtInteger: digits in `base`, at least the precision of them (or as many as fill the width, with the 0 flag), then #'s prefix and the sign. */
function formatInteger(d: Directive, n: bigint, base: number, verb: string): string {
  const negative = n < 0n;
  // A precision of 0 prints nothing of a zero, but its padding.
  if (d.prec === 0 && n === 0n) return pad("", spaced(d));
  let count = d.prec ?? 0;
  if (d.prec === undefined && d.zero && !d.minus && d.width !== undefined) count = d.width - (negative || d.plus || d.space ? 1 : 0);
  let s = (negative ? -n : n).toString(base).padStart(count, "0");
  if (verb === "X") s = s.toUpperCase();
  if (d.sharp && base === 2) s = `0b${s}`;
  if (d.sharp && base === 8 && !s.startsWith("0")) s = `0${s}`;
  if (d.sharp && base === 16) s = (verb === "X" ? "0X" : "0x") + s;
  if (verb === "O") s = `0o${s}`;
  const sign = negative ? "-" : d.plus ? "+" : d.space ? " " : "";
  return pad(sign + s, spaced(d));
}

/** fmt's fmtUnicode: U+ and four hexadecimal digits at least (more for a larger precision), and with # the character quoted when printable. */
function formatUnicode(d: Directive, n: bigint): string {
  const u = BigInt.asUintN(64, n); // as Go's uint64 conversion reads a negative
  let s = `U+${u
    .toString(16)
    .toUpperCase()
    .padStart(Math.max(d.prec ?? 4, 4), "0")}`;
  if (d.sharp && u <= 0x10ffffn && PRINTABLE.test(String.fromCodePoint(Number(u)))) s += ` '${String.fromCodePoint(Number(u))}'`;
  return pad(s, spaced(d));
}

/** The character an integer is as a rune: one that is not a Unicode code point is U+FFFD, as in Go. */
function runeOf(n: bigint): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  return valid ? String.fromCodePoint(Number(n)) : "\ufffd";
}

const INTEGER_BASES: Record<string, number> = { v: 10, d: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };

/** An integer (int, int64) through its verb. */
function printInteger(d: Directive, verb: string, n: bigint): string {
  const base = INTEGER_BASES[verb];
  if (base !== undefined) return formatInteger(d, n, base, verb);
  if (verb === "c") return pad(runeOf(n), d);
  if (verb === "q") return pad(`'${escapeRune(runeOf(n), "'", d.plus)}'`, d);
  return verb === "U" ? formatUnicode(d, n) : badVerb(d, verb, n);
}

/** The # flag on a float: a decimal point always, and %g's trailing zeros up to its precision (6 for the shortest). */
function alternateFloat(body: string, verb: string, prec: number): string {
  const tailAt = body.search(verb === "x" || verb === "X" ? /[pP]/ : /[eEpP]/);
  let num = tailAt < 0 ? body : body.slice(0, tailAt);
  const tail = tailAt < 0 ? "" : body.slice(tailAt);
  let zeros = "vgGx".includes(verb) ? (prec === -1 ? 6 : prec) : 0;
  zeros -= num.replace(".", "").replace(/^0+/, "").length; // the digits from the first nonzero one
  if (!num.includes(".")) {
    if (num === "0") zeros--; // a zero is one digit
    num += ".";
  }
  return num + "0".repeat(Math.max(zeros, 0)) + tail;
}

/** fmt's fmtFloat: strconv's digits, with +, space and # flags, and zero padding after the sign; infinities and NaN are padded with spaces. */
function formatFloatDirective(d: Directive, f: number, verb: string, defaultPrec: number): string {
  const prec = d.prec ?? defaultPrec;
  const num = formatFloat(f, verb, prec);
  const signed = num.startsWith("-") || num.startsWith("+");
  let sign = signed ? num[0]! : "+";
  let body = signed ? num.slice(1) : num;
  if (d.space && sign === "+" && !d.plus) sign = " ";
  if (body === "Inf" || body === "NaN") return pad(body === "NaN" && !d.space && !d.plus ? body : sign + body, spaced(d));
  if (d.sharp && verb !== "b") body = alternateFloat(body, verb, prec);
  if (!d.plus && sign === "+") return pad(body, d);
  const width = d.width ?? 0;
  if (d.zero && !d.minus && width > body.length + 1) return sign + "0".repeat(width - body.length - 1) + body;
  return pad(sign + body, d);
}

/** The verbs fmt prints a float64 with, as strconv's verb and default precision. */
const FLOAT_VERBS: Record<string, [string, number]> = {
  ...{ v: ["g", -1], b: ["b", -1], g: ["g", -1], G: ["G", -1], x: ["x", -1], X: ["X", -1] },
  ...{ e: ["e", 6], E: ["E", 6], f: ["f", 6], F: ["f", 6] },
};

/** The first `count` characters of `s`, all of them without a count. */
function firstRunes(s: string, count: number | undefined): string {
  return count === undefined ? s : Array.from(s).slice(0, count).join("");
}

/** fmt's fmtSx: a string's UTF-8 bytes in hexadecimal (as many as the precision), spaced with the space flag, prefixed with #. */
function hexBytes(d: Directive, s: string, upper: boolean): string {
  const bytes = Array.from(Buffer.from(s, "utf8").subarray(0, d.prec), (b) => b.toString(16).padStart(2, "0"));
  const prefix = d.sharp ? "0x" : "";
  const hex = d.space ? bytes.map((b) => prefix + b).join(" ") : bytes.length > 0 ? prefix + bytes.join("") : "";
  return pad(upper ? hex.toUpperCase() : hex, d);
}

/** A string through its verb. */
function printString(d: Directive, verb: string, s: string): string {
  if (verb === "s" || (verb === "v" && !d.sharpV)) return pad(firstRunes(s, d.prec), d);
  if (verb === "x" || verb === "X") return hexBytes(d, s, verb === "X");
  if (verb !== "q" && verb !== "v") return badVerb(d, verb, s);
  const text = firstRunes(s, d.prec);
  return pad(d.sharp && canBackquote(text) ? `\`${text}\`` : goQuote(text, d.plus), d);
}

/**
 * fmt's printArg and printValue: one argument through its verb, by its type. A list's items and a
 * map's keys and values go through the verb one by one, flags, width and precision included; a nil
 * among them prints as <nil> whatever the verb.
 */
function printArg(d: Directive, verb: string, a: unknown, depth: number): string {
  if (a === undefined || a === null) {
    if (depth > 0) return "<nil>";
    return verb === "v" || verb === "T" ? pad("<nil>", d) : badVerb(d, verb, a);
  }
  if (verb === "T") return pad(firstRunes(goTypeName(a), d.prec), d);
  switch (typeof a) {
    case "boolean":
      return verb === "t" || verb === "v" ? pad(String(a), d) : badVerb(d, verb, a);
    case "bigint":
      return printInteger(d, verb, a);
    case "number": {
      const strconv = FLOAT_VERBS[verb];
      return strconv ? formatFloatDirective(d, a, ...strconv) : badVerb(d, verb, a);
    }
    case "string":
      return printString(d, verb, a);
  }
  if (Array.isArray(a)) return `[${a.map((x) => printArg(d, verb, x, depth + 1)).join(" ")}]`;
  if (!isMap(a)) return formatV(a);
  // A value with a String method (sprig's semver) prints that text for the verbs of strings.
  if (GO_STRING in a) return "vsxXq".includes(verb) ? printString(d, verb, String(a[GO_STRING])) : badVerb(d, verb, a);
  const entries = Object.keys(a)
    .sort()
    .map((k) => `${printArg(d, verb, k, depth + 1)}:${printArg(d, verb, a[k], depth + 1)}`);
  return `map[${entries.join(" ")}]`;
}

/** The bits of a float64: its sign, its biased exponent and its 52-bit mantissa. */
function floatBits(f: number): { negative: boolean; exponent: number; mantissa: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  return { negative: bits >> 63n === 1n, exponent: Number((bits >> 52n) & 0x7ffn), mantissa: bits & 0xfffffffffffffn };
}

/** strconv.FormatFloat(f, 'b', -1, 64): a decimal mantissa and a binary exponent, as %b prints a float. */
function floatBinary(f: number): string {
  const { negative, exponent, mantissa } = floatBits(f);
  const m = exponent === 0 ? mantissa : mantissa | (1n << 52n);
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  return `${negative ? "-" : ""}${m}p${e >= 0 ? "+" : ""}${e}`;
}

/** strconv.FormatFloat(f, 'x', -1, 64): the shortest hexadecimal mantissa and a two-digit binary exponent, as %x prints a float. */
function floatHex(f: number, upper: boolean): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
  const { negative, exponent, mantissa } = floatBits(f);
  let e = exponent - 1023;
  let m = mantissa;
  if (exponent === 0) {
    if (m === 0n) e = 0;
    else {
      // Subnormal: normalize so the leading 1 is implicit again.
      e = -1022;
      while ((m & (1n << 52n)) === 0n) {
        m <<= 1n;
        e--;
      }
      m &= 0xfffffffffffffn;
    }
  }
  const digits = m.toString(16).padStart(13, "0").replace(/0+$/, "");
  const exp = `${e >= 0 ? "+" : "-"}${String(Math.abs(e)).padStart(2, "0")}`;
  const s = `${negative ? "-" : ""}0x${exponent === 0 && mantissa === 0n ? "0" : "1"}${digits ? `.${digits}` : ""}p${exp}`;
  return upper ? s.toUpperCase() : s;
}

/** fmt.Sprintf: the flags - + # 0 and space, width, precision, and the verbs v T t d b o O x X c q U e E f F g G s %. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch !== "%") {
      out += ch;
      i++;
      continue;
    }
    const d = readDirective(format, i + 1);
    const verb = d.verb;
    i = d.next;
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += printArg(d, verb, args[argi++], 0);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === undefined || a === null ? "<nil>" : `${goTypeName(a)}=${formatV(a)}`))
      .join(", ")})`;
  }
  return out;
}
