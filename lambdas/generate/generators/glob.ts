// The two glob dialects Argo CD's git generator uses. Pure functions over path strings.

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/**
 * Parses a `[...]` class at `pattern[start] === "["`; returns its regex and the index after `]`, or
 * undefined if malformed. `strict` is Go's path.Match, where an unescaped `-` or `]` cannot be an end
 * of a range or a character (`[]a]`, `[-x]`, `[a-b-c]` are bad patterns); git's wildmatch takes them
 * literally.
 */
function characterClass(pattern: string, start: number, negation: string[], strict: boolean): { regex: string; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (negation.includes(pattern[i] ?? "")) {
    negated = true;
    i++;
  }
  let body = "";
  let first = true;
  while (i < pattern.length && (pattern[i] !== "]" || first)) {
    let c = pattern[i]!;
    if (strict && (c === "-" || c === "]")) return undefined;
    if (c === "\\") {
      i++;
      if (i >= pattern.length) return undefined;
      c = pattern[i]!;
    }
    i++;
    first = false;
    if (pattern[i] === "-" && pattern[i + 1] !== undefined && pattern[i + 1] !== "]") {
      let hi = pattern[i + 1]!;
      if (strict && hi === "-") return undefined;
      i += 2;
      if (hi === "\\") {
        if (i >= pattern.length) return undefined;
        hi = pattern[i]!;
        i++;
      }
      // A reversed range (`[c-a]`) is no error in Go nor in git: it matches nothing.
      if (hi >= c) body += `${escapeRegExp(c)}-${escapeRegExp(hi)}`;
    } else {
      body += escapeRegExp(c);
    }
  }
  if (i >= pattern.length) return undefined;
  // A class left empty by reversed ranges matches nothing, or (negated) any character.
  if (body === "") return { regex: negated ? "[^]" : "[]", end: i + 1 };
  return { regex: `[${negated ? "^" : ""}${body}]`, end: i + 1 };
}

/**
 * Go's path.Match, which the git directory generator applies to every directory path
 * (applicationset/generators/git.go filterApps): `*` is any run of non-`/` characters, `?` one
 * non-`/` character, `[...]`/`[^...]` a class, `\` escapes; the whole path must match. `**` is
 * no different from `*`. A malformed pattern matches nothing (Argo logs it and moves on).
 */
export function goPathMatch(pattern: string, name: string): boolean {
  const regex = compile(pattern, "[^/]*", "[^/]", ["^"], true);
  return regex?.test(name) === true;
}

/**
 * The git files generator's default matching: Argo runs `git ls-files -- <pattern>` (unless the
 * controller's opt-in "new globbing" is on, which Radial does not emulate). Git pathspecs without
 * magic use wildmatch without WM_PATHNAME, so `*` and `?` also match `/` (`a/*.yaml` finds YAML
 * files at any depth under `a/`, as Argo's docs warn); a pattern without wildcards matches that
 * file or every file under that directory. wildmatch works on bytes: `?` is one byte of UTF-8, so
 * both sides are matched as their UTF-8 bytes.
 */
export function gitPathspecMatch(pattern: string, file: string): boolean {
  const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  let p = bytes(pattern).replace(/^(\.\/)+/, "");
  const path = bytes(file);
  if (p === "" || p === ".") return true;
  if (!/[*?[\\]/.test(p)) {
    p = p.replace(/\/+$/, "");
    return path === p || path.startsWith(`${p}/`);
  }
  const regex = compile(p, ".*", ".", ["!", "^"], false);
  return regex?.test(path) === true;
}

function compile(pattern: string, star: string, question: string, negation: string[], strict: boolean): RegExp | undefined {
  let regex = "";
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "*") {
      while (pattern[i] === "*") i++;
      regex += star;
    } else if (c === "?") {
      regex += question;
      i++;
    } else if (c === "[") {
      const cls = characterClass(pattern, i, negation, strict);
      if (!cls) return undefined;
      regex += cls.regex;
      i = cls.end;
    } else if (c === "\\") {
      if (i + 1 >= pattern.length) return undefined;
      regex += escapeRegExp(pattern[i + 1]!);
      i += 2;
    } else {
      regex += escapeRegExp(c);
      i++;
    }
  }
  try {
    return new RegExp(`^${regex}$`, "s");
  } catch {
    return undefined;
  }
}
