// Lint: typescript-eslint's strict and stylistic type-aware presets over every TypeScript file,
// plus a bound on function length. Each departure from the presets says why on its line.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", "cdk.out/", ".radial/", ".stryker-tmp/", "reports/", "console/dist/"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "bin/*.js", "infra/builtins/*.cjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    // A disable comment that no longer suppresses anything goes, rather than hiding the next problem there.
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A function fits on a screen: longer ones are cut into named steps.
      "max-lines-per-function": ["error", { max: 100, skipBlankLines: true, skipComments: true }],
      // node:test's test() and describe() return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }] },
      ],
      // Numbers print the same everywhere; objects, undefined and null in a message are still refused.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // noUncheckedIndexedAccess types every index read as possibly undefined; `!` after a bounds or has() check is the idiom.
      "@typescript-eslint/no-non-null-assertion": "off",
      // `() => server.close()` as a callback reads plainly; a void value used anywhere else is still refused.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // tsc's noUnusedLocals and noUnusedParameters already refuse these, so one tool reports them.
      "@typescript-eslint/no-unused-vars": "off",
      // In Kubernetes objects and settings an empty string means unset (a namespace, a reason, a resourceVersion), so `||` on strings is meant.
      "@typescript-eslint/prefer-nullish-coalescing": ["error", { ignorePrimitives: { string: true } }],
      // `import { z } from "zod"` holds zod's whole namespace object, so every bundle carries all of zod (its locales too, ~360 KB
      // of the API function); `import * as z` lets esbuild keep only what is used.
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z'][importKind='value']",
          message: 'Use import * as z from "zod" (tree-shaken in the Lambda bundles).',
        },
      ],
    },
  },
  {
    // A describe() callback is a list of cases, not logic: the 100-line bound is for the product's functions.
    files: ["test/**/*.ts"],
    rules: { "max-lines-per-function": "off" },
  },
  {
    // The template language's lexer and parser are one state machine each, as in Go's text/template/parse.
    files: ["lambdas/generate/template/parse.ts"],
    rules: { "max-lines-per-function": "off" },
  },
  {
    // The Lambda bundles' CommonJS stand-ins for Node's modules (infra/builtins/aliases.ts says why).
    files: ["infra/builtins/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", process: "readonly" } },
  },
);
