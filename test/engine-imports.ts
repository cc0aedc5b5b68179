// Which test files need an engine (Kubernetes, DynamoDB Local, moto, Chromium, kustomize): those
// whose imports reach, directly or through helpers, a module that `npm run engines`
// (test/engines/install.ts) installs from. Only imports that stay at run time count: `import type`
// is erased and loads nothing.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const INSTALL_ENGINES = fileURLToPath(new URL("./engines/install.ts", import.meta.url));

/** Relative specifiers a module loads when it runs: value imports, re-exports and `import()` calls. */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((specifier) => specifier.startsWith("."));
}

/** Sources import the `.js` a `.ts` file compiles to (NodeNext); the file on disk is the `.ts`. */
function resolveLocal(from: string, specifier: string): string | undefined {
  const path = resolve(dirname(from), specifier);
  const candidates = [path.replace(/\.js$/, ".ts"), path];
  return candidates.find((candidate) => /\.[cm]?[jt]s$/.test(candidate) && existsSync(candidate));
}

const importsOf = new Map<string, string[]>();

/** The local files `file` loads when it runs, parsed once per process. */
function localImports(file: string): string[] {
  let imports = importsOf.get(file);
  if (imports === undefined) {
    imports = runtimeSpecifiers(file).flatMap((specifier) => resolveLocal(file, specifier) ?? []);
    importsOf.set(file, imports);
  }
  return imports;
}

let engineModules: Set<string> | undefined;

/** True when loading `file` loads an engine's module: the file starts or installs that engine. */
export function needsEngine(file: string): boolean {
  engineModules ??= new Set(localImports(INSTALL_ENGINES));
  const seen = new Set<string>();
  const pending = [resolve(file)];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (engineModules.has(path)) return true;
    if (seen.has(path)) continue;
    seen.add(path);
    pending.push(...localImports(path));
  }
  return false;
}
