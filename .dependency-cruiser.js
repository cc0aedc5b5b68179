// Dependency rules (`npm run deps`): which top-level folder may import which, and no cycles.
// Type-only imports count: a type is as much a dependency on another layer's shape as a value.

/** The hub's domain: everything under lambdas/ but the adapters, the entry points and the composition root. */
const HUB_DOMAIN = "^lambdas/";
// generation-runner.ts is the composition root's generation part (apart so the API function's bundle does without it).
const HUB_OUTSIDE_DOMAIN = ["^lambdas/adapters/", "^lambdas/handlers/", "^lambdas/local/", "^lambdas/composition\\.ts$", "^lambdas/generation-runner\\.ts$"];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "agent-not-to-hub-or-cli",
      comment: "The agent runs in every spoke cluster: it depends only on contract/ and core/, never on the hub or the CLI.",
      severity: "error",
      from: { path: "^agent/" },
      to: { path: "^(lambdas|cli)/" },
    },
    {
      name: "core-only-to-contract",
      comment: "core/ is what several programs share: locally it may import only itself and contract/ (and package.json, for the version).",
      severity: "error",
      from: { path: "^core/" },
      to: { dependencyTypes: ["local"], pathNot: ["^(core|contract)/", "^package\\.json$"] },
    },
    {
      name: "contract-stands-alone",
      comment: "contract/ is the hub–agent contract both sides import: it imports nothing local outside itself.",
      severity: "error",
      from: { path: "^contract/" },
      to: { dependencyTypes: ["local"], pathNot: "^contract/" },
    },
    {
      name: "hub-domain-not-to-aws-sdk",
      comment: "The hub's domain talks to ports it owns; only adapters, entry points and the composition root use the AWS SDK.",
      severity: "error",
      from: { path: HUB_DOMAIN, pathNot: HUB_OUTSIDE_DOMAIN },
      to: { path: "^node_modules/@aws-sdk/" },
    },
    {
      name: "hub-domain-not-to-adapters",
      comment: "The hub's domain owns its ports (lambdas/ports.ts); adapters implement them and only the composition root and entry points wire them in.",
      severity: "error",
      from: { path: HUB_DOMAIN, pathNot: HUB_OUTSIDE_DOMAIN },
      to: { path: "^lambdas/adapters/" },
    },
    {
      name: "hub-not-to-agent-or-cli",
      comment: "The hub shares code with the agent and the CLI through core/ and contract/, never by importing them.",
      severity: "error",
      from: { path: "^lambdas/" },
      to: { path: "^(agent|cli)/" },
    },
    {
      name: "no-circular",
      comment: "An import cycle ties modules into one unit that cannot be read, tested or loaded alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^cdk\\.out/", "^\\.radial/", "^\\.stryker-tmp/", "^reports/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
