import { AssetHashType, Duration, RemovalPolicy, Size, type ILocalBundling } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing, type ILayerVersion } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { BUILTIN_ALIASES } from "./builtins/aliases.js";

/** The newest Node.js LTS Lambda offers in this aws-cdk-lib; the bundles target the same version. */
export const RUNTIME = Runtime.NODEJS_24_X;
const ESBUILD_TARGET = "node24";

/** How long the hub's logs are kept. */
export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/**
 * ESM bundles load CommonJS dependencies (which may `require` Node's built-ins) through this shim,
 * as esbuild's own documentation suggests for `format: esm` on Node.
 */
const REQUIRE_SHIM = "import { createRequire as __radialCreateRequire } from 'node:module'; const require = __radialCreateRequire(import.meta.url);";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Left out of the bundles: the credential providers the SDK's default chain imports on demand
 * (`await import`) only when the environment holds no credentials. Lambda always puts the function
 * role's there, so the chain stops at the first provider (fromEnv) and never loads these (~95 KB with
 * the STS, SSO and sign-in clients they bring).
 */
const UNREACHED_CREDENTIAL_PROVIDERS = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@smithy/credential-provider-imds",
];

/**
 * Left out as well: the browser user-agent provider of @aws-sdk/core imports bowser with import(),
 * and Node.js never calls it; code splitting would still ship it as a 34 KB chunk of its own.
 */
const BROWSER_ONLY = ["bowser"];

export interface HubFunctionProps {
  /** The handler's file under lambdas/handlers/, e.g. `api.ts`. */
  handler: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  layers?: ILayerVersion[];
  /** /tmp; the generation worker keeps the fleet repo's git objects there. */
  ephemeralStorage?: Size;
}

/**
 * One of the hub's functions: bundled by the local esbuild (never Docker) as minified ESM with every
 * dependency, the AWS SDK included, so the code that runs is the code that was tested; names are
 * minified too (keepNames would add 80 KB to the API function and its init) and no source map ships
 * (loading one slows every cold start): a stack frame's line and column map back through the same
 * esbuild build with `sourcemap` on; node:http and node:https are taken as CommonJS takes them
 * (builtins/aliases.ts). arm64, X-Ray tracing, its own log group with a retention and its own role.
 *
 * A `lambda.Function` with a bundling of our own rather than `NodejsFunction`: NodejsFunction
 * always gives esbuild `--outfile`, one file, so everything a function could ever load is compiled
 * at each cold start. Here esbuild splits the code (`splitting`, `outdir`): what a module loads with
 * `import()` (isomorphic-git, yaml, the EKS and SQS clients; see docs/architecture.md, "Cold
 * starts") is a chunk of its own in the asset, beside `index.mjs`, read only when first needed.
 */
export function hubFunction(scope: Construct, id: string, props: HubFunctionProps): LambdaFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  // Its own role with nothing but its own log group, rather than the managed basic execution
  // policy (every log group of the account); the stack grants the rest, action by action.
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal("lambda.amazonaws.com"), description: props.description });
  logGroup.grantWrite(role);
  return new LambdaFunction(scope, id, {
    code: Code.fromAsset(ROOT, {
      // The asset is what esbuild wrote, hashed as such: the repository itself is never copied.
      assetHashType: AssetHashType.OUTPUT,
      // The image is only for Docker bundling, which never runs: the local bundling below always does the work or throws.
      bundling: { image: RUNTIME.bundlingImage, local: new EsbuildBundling(props.handler) },
    }),
    handler: "index.handler",
    runtime: RUNTIME,
    architecture: Architecture.ARM_64,
    description: props.description,
    memorySize: props.memorySize,
    timeout: props.timeout,
    environment: props.environment,
    ...(props.layers ? { layers: props.layers } : {}),
    ...(props.ephemeralStorage ? { ephemeralStorageSize: props.ephemeralStorage } : {}),
    tracing: Tracing.ACTIVE,
    logGroup,
    role,
  });
}

/**
 * Bundles `lambdas/handlers/<handler>` into the asset's folder: `index.mjs` exporting `handler`, and
 * its chunks. `handler` is a property, not only a closure's: CDK stages an asset once per source
 * path and bundling options (their JSON), and the functions' options differ only in it.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly handler: string) {}

  tryBundle(outdir: string): boolean {
    buildSync({
      entryPoints: { index: `${ROOT}lambdas/handlers/${this.handler}` },
      outdir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: ESBUILD_TARGET,
      mainFields: ["module", "main"],
      minify: true,
      // Every chunk gets it: a chunk may hold CommonJS code that requires Node's modules.
      banner: { js: REQUIRE_SHIM },
      alias: BUILTIN_ALIASES,
      external: [...UNREACHED_CREDENTIAL_PROVIDERS, ...BROWSER_ONLY],
      absWorkingDir: ROOT,
      logLevel: "error",
    });
    return true;
  }
}
