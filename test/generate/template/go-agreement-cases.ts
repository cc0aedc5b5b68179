// The inputs of the template engine's agreement test with Go (go-agreement.test.ts): the data, the
// arguments, the actions, and the templates made of them. Apart from the test, which needs the Go
// engine, so that npm run mutate (test/mutate.ts) records Go's answers to the same templates once.
import type { MissingKey } from "../../../lambdas/generate/template/index.js";
import { FUNCS } from "../../../lambdas/generate/template/funcs.js";
import type { GoTemplateRequest } from "../../engines/go-template.js";

/** Generator parameters as Argo CD decodes them from JSON: every number is a float64 there. */
export const DATA: Record<string, unknown> = {
  s: "Hello World",
  n: 3,
  f: 2.5,
  neg: -4,
  big: 1e21,
  small: 0.000001,
  b: true,
  no: false,
  e: "",
  z: 0,
  l: ["b", "a", "b"],
  nl: [3, 1, 2],
  ml: [{ name: "x", n: 1 }, { name: "y" }],
  m: { a: 1, b: "x", c: { d: "deep" }, "k-y": "dash" },
  em: {},
  el: [],
  nil: null,
  ver: "1.2.3",
  csv: "a,b,,c",
  json: '{"a":[1,2],"b":null}',
  yaml: "a: 1\nb: [x, 2]\n",
  url: "https://Example.com/a b?x=1&y=<2>",
  name: "My_App.Name--1",
  unicode: "héllo wörld ß 日本",
  spaces: "  padded\t\n",
  html: `<a href="x">'&'</a>`,
};

/** Argument expressions: each kind of value a parameter can hold, literal and from the data. */
export const ARGUMENTS = [
  `"abc"`,
  `"a,b,c"`,
  `""`,
  `"12"`,
  `"-3.5"`,
  `"1.2.3"`,
  `"^a.(c)$"`,
  `"%s-%d"`,
  "0",
  "2",
  "-3",
  "1.5",
  "0x1F",
  "true",
  "nil",
  ".s",
  ".n",
  ".f",
  ".neg",
  ".b",
  ".l",
  ".nl",
  ".m",
  ".em",
  ".e",
  ".z",
  ".missing",
  ".nil",
  ".unicode",
  `(list 1 "a")`,
  `(dict "k" "v")`,
];

/** A smaller set for the third and later arguments. */
export const FEW_ARGUMENTS = [`"b"`, "1", ".l", ".m", ".missing", "true"];

/** The language's actions, each rendered under every missingkey option. */
export const ACTIONS = [
  "{{ .s }}",
  "{{ .missing }}",
  "{{ .m.a }}-{{ .m.c.d }}-{{ .m.zz }}",
  "{{ .m.zz.yy }}",
  "{{ .missing.x }}",
  "{{ .nil }}",
  "{{ .nil.x }}",
  "{{ .s.x }}",
  "{{ .l.x }}",
  '{{ index .m "k-y" }}',
  '{{ index .m "nope" }}',
  "{{ index .l 1 }}",
  "{{ index .l 5 }}",
  '{{ index .ml 0 "name" }}',
  "{{ .ml }}",
  "{{ .m }}",
  "{{ .em }}{{ .el }}",
  "{{ .n }} {{ .f }} {{ .neg }} {{ .big }} {{ .small }} {{ .z }}",
  "{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ -0 }} {{ +2 }}",
  "{{ 1.0 }} {{ 3e-2 }} {{ 0x1p4 }}",
  "{{ 1i }}",
  '{{ "a\\tb\\u00e9\\x41" }} {{ `raw\\n` }}',
  "{{ true }} {{ false }} {{ nil }}",
  "{{ if .b }}yes{{ end }}",
  "{{ if .no }}yes{{ else }}no{{ end }}",
  "{{ if .missing }}yes{{ else if .e }}e{{ else if .z }}z{{ else }}none{{ end }}",
  "{{ if .el }}l{{ else if .em }}m{{ else if .nil }}n{{ else }}empty{{ end }}",
  "{{ if and .b .n }}both{{ end }}{{ if or .e .s }}{{ . | len }}{{ end }}",
  "{{ if not .missing }}absent{{ end }}",
  "{{ range .l }}[{{ . }}]{{ end }}",
  "{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}",
  "{{ range $k, $v := .m }}{{ $k }}:{{ $v }};{{ end }}",
  "{{ range .m }}{{ . }},{{ end }}",
  "{{ range .el }}x{{ else }}none{{ end }}",
  "{{ range .em }}x{{ else }}none{{ end }}",
  "{{ range .missing }}x{{ else }}none{{ end }}",
  "{{ range .nil }}x{{ end }}",
  "{{ range .s }}x{{ end }}",
  "{{ range 3 }}{{ . }}{{ end }}",
  "{{ range $i := 2 }}{{ $i }}{{ end }}",
  "{{ range .n }}{{ . }}{{ end }}",
  "{{ range .nl }}{{ if eq . 1.0 }}{{ break }}{{ end }}{{ . }}{{ end }}",
  '{{ range .l }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ . }}{{ end }}',
  "{{ break }}",
  "{{ range .ml }}{{ .name }}{{ .n }}{{ end }}",
  "{{ range .ml }}{{ $.s }}/{{ .name }} {{ end }}",
  "{{ with .m }}{{ .b }}{{ end }}",
  "{{ with .missing }}x{{ else }}none{{ end }}",
  "{{ with .e }}x{{ else with .s }}{{ . }}{{ end }}",
  "{{ with $x := .m.c }}{{ $x.d }}{{ end }}",
  "{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}",
  "{{ $x := .l }}{{ range $x }}{{ $x }}{{ end }}",
  "{{ $y }}",
  "{{ $ }}",
  "{{ $.n }}",
  "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}",
  "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
  '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .s }}{{ template "t" }}',
  '{{ block "b" .n }}<{{ . }}>{{ end }}',
  '{{ template "nope" }}',
  '{{ define "r" }}{{ if . }}{{ len . }}{{ template "r" slice . 1 }}{{ end }}{{ end }}{{ template "r" .l }}',
  "a  {{- .s -}}  b",
  "a  {{- /* comment */ -}}  b",
  "{{/* a comment */}}x",
  "{{- .s }}\n  {{ .n -}}\n  !",
  '{{ .s | printf "%q" }}',
  "{{ .n | add 1 | mul 2 }}",
  "{{ (index .ml 0).name }}",
  "{{ (.m).a }}",
  "{{ .s | len }}",
  "{{ len .unicode }}",
  '{{ printf "%v %T %d %s %5.2f %x %q %t %%" .m .f 3 .s .f .s .s .b }}',
  '{{ printf "%v|%v|%v|%v" .nil .missing .el .em }}',
  '{{ printf "%d" .n }}',
  '{{ printf "%s" 3 }}',
  '{{ printf "%v" (list .n .f .big .small) }}',
  '{{ print 1 2 "a" "b" 3 }}',
  "{{ println .s .n }}",
  '{{ eq .n 3.0 }} {{ eq .n 3 }} {{ eq .s "Hello World" }} {{ eq .s .missing }}',
  '{{ lt 1 2 }} {{ lt 1.5 2.5 }} {{ lt "a" "b" }} {{ lt .n 4.0 }}',
  "{{ lt .n 4 }}",
  "{{ eq .l .l }}",
  "{{ ne nil nil }}",
  "{{ html .html }} {{ js .html }} {{ urlquery .url }}",
  "{{ .s }}{{ else }}",
  "{{ end }}",
  "{{ if }}{{ end }}",
  "{{ .s",
  "{{ range .l }}",
  "{{ nosuchfunc .s }}",
  '{{ env "HOME" }}',
  "{{ .s 1 }}",
  "{{ . }}",
  "{{ .n.x }}",
  '{{ "unterminated }}',
  "{{ 1 2 }}",
  "{{ (1) }}",
  "{{ $x := }}",
  "{{ else }}",
  "{{ with }}{{ end }}",
  "{{ range $a, $b, $c := .l }}{{ end }}",
  "{{ template }}",
  '{{ define "x" }}{{ end }}',
  "{{ toJson . }}",
  "{{ toYaml .m }}",
  "{{ (fromYaml .yaml).b }}",
  "{{ (fromJson .json).a }}",
  '{{ dig "c" "d" "none" .m }}',
  '{{ get .m "b" }} {{ hasKey .m "a" }} {{ keys .m | sortAlpha }}',
  "{{ .m | toPrettyJson }}",
  '{{ semverCompare ">=1.2.0" .ver }} {{ (semver .ver).Minor }}',
  "{{ normalize .name }} {{ slugify .name }} {{ slugify 5 false .name }}",
  '{{ splitList "," .csv | compact | join "+" }}',
  '{{ ternary "y" "n" .b }}',
  '{{ default "d" .missing }} {{ default "d" .e }} {{ default "d" .s }}',
  "{{ coalesce .missing .e .z .s }}",
  '{{ regexReplaceAll "(o)" .s "[$1]" }} {{ regexFindAll "l+" .s -1 }}',
  "{{ trunc 5 .s }} {{ trunc -5 .s }} {{ substr 1 3 .s }}",
  "{{ .spaces | trim | upper }} {{ quote .unicode }} {{ squote .s }}",
  "{{ .n | toString | repeat 3 }}",
  '{{ int64 .f }} {{ int .f }} {{ float64 .n }} {{ atoi "42" }} {{ add1 .f }}',
  "{{ div 7 2 }} {{ mod 7 2 }} {{ div .n 2 }} {{ sub .n .f }} {{ max 1 .n 2 }} {{ min .f 1 }}",
  "{{ until 3 }} {{ untilStep 0 10 3 }} {{ untilStep 5 0 -2 }}",
  '{{ list 1 2 | reverse }} {{ uniq .l }} {{ without .l "b" }} {{ has "a" .l }}',
  '{{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }} {{ append .l "c" }} {{ prepend .l "z" }}',
  '{{ pluck "name" (index .ml 0) (index .ml 1) }}',
  '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }} {{ unset $d "a" }}',
  '{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }}',
  '{{ pick .m "a" "b" }} {{ omit .m "a" }} {{ values (dict "x" 1) }}',
  "{{ kindOf .m }} {{ kindOf .l }} {{ kindOf .n }} {{ kindOf .s }} {{ kindOf .b }} {{ kindOf .nil }}",
  "{{ typeOf .m }} {{ typeOf .l }} {{ typeOf .n }} {{ typeOf 1 }} {{ typeOf .nil }}",
  '{{ b64enc .unicode }} {{ b64dec "aGk=" }} {{ b32enc .s }} {{ sha256sum .s }}',
  '{{ deepEqual .l (list "b" "a" "b") }} {{ deepCopy .m }}',
  '{{ fail "stop here" }}',
  "{{ indent 2 .yaml }}{{ nindent 2 .s }}",
  '{{ title .unicode }} {{ untitle .s }} {{ nospace .s }} {{ plural "one" "many" 2 }}',
  "{{ cat .s .n nil .l }}",
  "{{ mustToJson .m }} {{ toRawJson .html }} {{ toJson .html }}",
  // Malformed or unusual syntax: both refuse, or both render the same.
  ...[
    "{{",
    "{{ .m",
    "{{ .m }",
    "{{ /* x",
    "{{/* x */ y}}",
    '{{ "abc }}',
    '{{ "a\nb" }}',
    "{{ `abc }}",
    "{{ 'a }}",
    "{{ 'ab' }}",
    "{{ '' }}",
    "{{ 'a' }} {{ '\\n' }} {{ '\\'' }} {{ '\"' }} {{ 'é' }}",
    "{{ '\\\"' }}",
    '{{ "\\x41\\101\\u0041\\U00000041\\a\\v" }}',
    `{{ "\\'" }}`,
    "{{ if }}",
    "{{ if .b }}",
    "{{ end }}",
    "{{ else }}",
    "{{ if .b }}{{ else }}{{ else }}{{ end }}",
    "{{ range }}{{ end }}",
    "{{ $x }}",
    "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
    "{{ range $i, 3 := .l }}{{ end }}",
    "{{ range $i, $v .l }}{{ end }}",
    "{{ $x, $y := 1 }}",
    "{{ .s | }} {{ (.s | ) }}",
    "{{ | .s }}",
    "{{ .s | | upper }}",
    "{{ .s | 3 }}",
    '{{ .s | "x" }}',
    "{{ .s | nil }}",
    "{{ .s | . }}",
    "{{ (1 }}",
    "{{ 1) }}",
    "{{ ( ) }}",
    "{{ nil }}",
    "{{ nil.x }}",
    "{{ 1.x }}",
    "{{ true.x }}",
    "{{ (.m).a }} {{ $.m.a }}",
    "{{ 0x1G }}",
    "{{ 1e }}",
    "{{ 08 }}",
    "{{ 09.5 }} {{ 0777 }} {{ 0o17 }} {{ 0b101 }} {{ 0x_1F }} {{ 1_000 }} {{ -1 }} {{ +1 }} {{ 1e3 }} {{ .5 }}",
    "{{ 99999999999999999999 }}",
    "{{ 18446744073709551615 }}",
    "{{ -9223372036854775808 }}",
    "{{ -9223372036854775809 }}",
    "{{ - }}",
    "{{ break }}",
    "{{ continue }}",
    '{{ range .l }}{{ if eq . "a" }}{{ break }}{{ end }}{{ . }}{{ end }}',
    '{{ range .l }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ . }}{{ end }}',
    "{{ range .l }}{{ continue 1 }}{{ end }}",
    "{{ range .el }}{{ else }}{{ break }}{{ end }}",
    '{{ 1"x" }}',
    "{{ .m(1) }}",
    "{{ len(.l) }}",
    "{{ if .b }}x{{ else with .s }}y{{ end }}",
    "{{-.s}}",
    "{{ .s := 1 }}",
    "{{ $x := }}",
    "{{ if 1 }}{{ end 1 }}",
    "{{ if 1 }}{{ else 1 }}{{ end }}",
    '{{ printf "%#x %#X %#x %#x %x" 255 255 -7 "hi" -7 }}',
    "{{ range $k, $v := 3 }}{{ $k }}={{ $v }};{{ end }}",
    "{{ range $v := 3 }}{{ $v }};{{ end }}",
  ],
];

export interface Case extends GoTemplateRequest {
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
 * printf's verbs, flags, widths and precisions over every kind of argument. Not among them: %p
 * (addresses), %#v (Go syntax for a Go type Radial does not have), explicit argument indexes and *
 * widths, which templates have no use for; %#x in ACTIONS, on integers and strings only (Go's
 * alternate hexadecimal float is not implemented).
 */
const VERBS = [
  "%v",
  "%+v",
  "%T",
  "%s",
  "%q",
  "%d",
  "%5d",
  "%-5d|",
  "%05d",
  "%.3d",
  "%x",
  "%X",
  "%o",
  "%b",
  "%e",
  "%f",
  "%.2f",
  "%8.3f",
  "%g",
  "%.3g",
  "%t",
  "%c",
  "%U",
  "%%",
  "%10s|",
  "%-10s|",
  "%.3s",
  "%.3q",
  "%.3v",
  "%v %v",
  "%z",
];
const VERB_ARGUMENTS = [
  ".s",
  ".n",
  ".f",
  ".neg",
  ".big",
  ".small",
  ".b",
  ".nil",
  ".l",
  ".nl",
  ".m",
  ".em",
  ".el",
  ".unicode",
  "1",
  "-7",
  "1.5",
  '"x"',
  "true",
  ".missing",
  ".ml",
];

function printfCases(): Case[] {
  return VERBS.flatMap((verb) =>
    VERB_ARGUMENTS.map((argument) => ({ template: `{{ printf "${verb}" ${argument} }}`, data: DATA, missingKey: "default" as const })),
  );
}

/** Every function's templates and printf's verbs, or every `every`th of them (npm run mutate records a fifth: go-answers.ts). */
export function functionCases(every = 1): Case[] {
  const ordered = Object.entries(FUNCS).filter(([name]) => !UNORDERED.has(name));
  const functions = ordered.flatMap(([name, spec]) =>
    argumentLists(name, spec.params.length, spec.variadic !== undefined)
      .filter((args) => !makesCycle(name, args))
      .map((args) => ({
        template: `{{ ${[name, ...args].join(" ")} }}`,
        data: DATA,
        missingKey: "default" as const,
      })),
  );
  return [...printfCases(), ...functions].filter((_, index) => index % every === 0);
}

export function actionCases(): Case[] {
  const keys: MissingKey[] = ["default", "invalid", "zero", "error"];
  return ACTIONS.flatMap((template) => keys.map((missingKey) => ({ template, data: DATA, missingKey, options: [`missingkey=${missingKey}`] })));
}
