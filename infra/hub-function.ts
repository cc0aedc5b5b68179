import { Duration, RemovalPolicy, Size } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing, type ILayerVersion } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
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
 * One of the hub's functions: bundled by the local esbuild (never Docker) as one minified ESM file
 * with every dependency, the AWS SDK included, so the code that runs is the code that was tested;
 * names are minified too (keepNames would add 80 KB to the API function and its init) and no
 * source map ships (loading one slows every cold start): a stack frame's line and column in
 * index.mjs map back through the same esbuild build with `sourcemap` on; node:http and node:https
 * are taken as CommonJS takes them (builtins/aliases.ts). arm64, X-Ray tracing, its own log group
 * with a retention and its own role.
 */
export function hubFunction(scope: Construct, id: string, props: HubFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  // Its own role with nothing but its own log group, rather than the managed basic execution
  // policy (every log group of the account); the stack grants the rest, action by action.
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal("lambda.amazonaws.com"), description: props.description });
  logGroup.grantWrite(role);
  return new NodejsFunction(scope, id, {
    entry: `${ROOT}lambdas/handlers/${props.handler}`,
    handler: "handler",
    projectRoot: ROOT,
    depsLockFilePath: `${ROOT}package-lock.json`,
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
    bundling: {
      format: OutputFormat.ESM,
      target: ESBUILD_TARGET,
      mainFields: ["module", "main"],
      minify: true,
      banner: REQUIRE_SHIM,
      bundleAwsSDK: true,
      externalModules: UNREACHED_CREDENTIAL_PROVIDERS,
      esbuildArgs: { "--alias": Object.entries(BUILTIN_ALIASES).map(([specifier, file]) => `${specifier}=${file}`) },
      forceDockerBundling: false,
    },
  });
}
