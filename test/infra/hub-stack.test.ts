// The CDK stack, synthesized once by the pinned CDK CLI exactly as `cdk deploy` would, offline
// (synth.ts, shared with test/lambda); the template is checked resource by resource, linted by
// cfn-lint, and the assets it names are read.
import assert from "node:assert/strict";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import { apiRoutes } from "../../infra/routes.js";
import { tableDefinition, TTL_ATTRIBUTE } from "../../lambdas/adapters/dynamodb/table.js";
import { ApiEnvironment, ScheduleEnvironment, WorkerEnvironment } from "../../lambdas/handlers/environment.js";
import { cfnLint } from "../engines/cfn-lint.js";
import { installToolsLayer } from "../engines/tools-layer.js";
import { synthesizedHub, type TemplateResource } from "./synth.js";

type Resource = TemplateResource;

let out: string;
let resources: Record<string, Resource>;

before(async () => {
  await installToolsLayer();
  const assembly = await synthesizedHub();
  out = assembly.dir;
  resources = assembly.template.Resources;
});

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** The hub's own functions, not the custom resource CDK adds to copy the console's files. */
function hubFunctions(): [string, Resource][] {
  return ofType("AWS::Lambda::Function").filter(([id]) => !id.startsWith("CustomCDKBucketDeployment"));
}

/** The logical id of the one resource of `type` whose construct id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = ofType(type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  assert.equal(ids.length, 1, `one ${type} named ${prefix}*, found ${ids.join(", ") || "none"}`);
  return ids[0]!;
}

/** An intrinsic as readable text: `{ "Fn::GetAtt": [X, "Arn"] }` is `X.Arn`, a Join its parts. */
function render(value: unknown): string {
  if (typeof value === "string") return value;
  const intrinsic = value as Record<string, unknown>;
  if ("Ref" in intrinsic) return String(intrinsic.Ref);
  if ("Fn::GetAtt" in intrinsic) return (intrinsic["Fn::GetAtt"] as string[]).join(".");
  if ("Fn::Join" in intrinsic) return (intrinsic["Fn::Join"] as [string, unknown[]])[1].map(render).join((intrinsic["Fn::Join"] as [string])[0]);
  return JSON.stringify(value);
}

/** Every statement of a role's policies as `actions on resources`, sorted. */
function grants(roleId: string): string[] {
  const role = resources[roleId]!;
  assert.equal(role.Properties.ManagedPolicyArns, undefined, `${roleId} has no managed policy`);
  return ofType("AWS::IAM::Policy")
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
    .map((statement) => {
      assert.equal(statement.Effect, "Allow");
      const actions = ([] as string[]).concat(statement.Action as string | string[]).sort();
      const targets = ([] as unknown[]).concat(statement.Resource).map(render);
      const condition = statement.Condition === undefined ? "" : ` if ${JSON.stringify(statement.Condition)}`;
      return `${actions.join(",")} on ${targets.join(" ")}${condition}`;
    })
    .sort();
}

describe("the hub's CDK stack", () => {
  test("the inventory table is tableDefinition() whole, every index included, plus TTL, PITR, encryption and retention", () => {
    const tables = ofType("AWS::DynamoDB::Table");
    assert.equal(tables.length, 1);
    const [, table] = tables[0]!;
    const { TableName, ...definition } = tableDefinition("radial");
    assert.equal(TableName, "radial");
    assert.deepEqual(table.Properties, {
      ...definition,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    assert.equal(table.DeletionPolicy, "Retain");
  });

  test("the HTTP API has exactly the hub's routes, IAM on every operator route, and the catch-all behind IAM", () => {
    const routes = ofType("AWS::ApiGatewayV2::Route").map(([, route]) => route.Properties);
    const expected = apiRoutes().map((route) => [`${route.method} ${route.path}`, route.auth === "admin" ? "AWS_IAM" : "NONE"]);
    assert.ok(expected.some(([key]) => key === "POST /v1/agent/status"));
    const actual = routes.map((route) => [route.RouteKey, route.AuthorizationType]);
    assert.deepEqual(actual.sort(), [...expected, ["$default", "AWS_IAM"]].sort());
    const [[integrationId, integration]] = ofType("AWS::ApiGatewayV2::Integration") as [[string, Resource]];
    assert.equal(integration.Properties.PayloadFormatVersion, "2.0");
    assert.equal(render(integration.Properties.IntegrationUri), `${logicalId("AWS::Lambda::Function", "Api")}.Arn`);
    for (const route of routes) assert.deepEqual(route.Target, { "Fn::Join": ["", ["integrations/", { Ref: integrationId }]] });
  });

  test("every function: Node.js 24 on arm64, an ESM bundle made by esbuild, tracing, its own log group kept 30 days", async () => {
    const functions = hubFunctions();
    assert.equal(functions.length, 3);
    for (const [id, fn] of functions) {
      const p = fn.Properties;
      assert.equal(p.Runtime, "nodejs24.x", id);
      assert.deepEqual(p.Architectures, ["arm64"], id);
      assert.equal(p.Handler, "index.handler", id);
      assert.deepEqual(p.TracingConfig, { Mode: "Active" }, id);
      const logGroup = resources[(p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref]!;
      assert.equal(logGroup.Properties.RetentionInDays, 30, id);
      const bundle = await readFile(join(out, String(fn.Metadata!["aws:asset:path"]), "index.mjs"), "utf8");
      assert.ok(bundle.startsWith("import { createRequire as __radialCreateRequire } from 'node:module';"), `${id}: an ESM bundle with the require shim`);
    }
    for (const [, group] of ofType("AWS::Logs::LogGroup")) assert.equal(group.Properties.RetentionInDays, 30);
  });

  test("each function's environment is its handler's schema, secrets by ARN only, nothing secret in the template", () => {
    const secretIds = new Set(ofType("AWS::SecretsManager::Secret").map(([id]) => id));
    assert.equal(secretIds.size, 4);
    for (const [id, secret] of ofType("AWS::SecretsManager::Secret")) {
      if (id.startsWith("SecretsHelmRepositories")) {
        assert.equal(secret.Properties.SecretString, "{}", "chart repository credentials start as none, which is no secret");
        continue;
      }
      assert.equal(secret.Properties.SecretString, undefined);
      assert.ok(secret.Properties.GenerateSecretString, "the value is generated in AWS, never written in the template");
    }
    const schemas = { Api: ApiEnvironment, GenerationWorker: WorkerEnvironment, GenerationSchedule: ScheduleEnvironment };
    for (const [prefix, schema] of Object.entries(schemas)) {
      const fn = resources[logicalId("AWS::Lambda::Function", prefix)]!;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const known = Object.keys(schema.shape);
      for (const name of Object.keys(variables)) assert.ok(known.includes(name), `${prefix}: ${name} is not in its handler's schema`);
      for (const [name, field] of Object.entries(schema.shape)) {
        if (!field.safeParse(undefined).success) assert.ok(name in variables, `${prefix}: ${name} is required by its handler`);
        if (name.endsWith("_SECRET_ID")) assert.ok(secretIds.has(String((variables[name] as { Ref?: string }).Ref)), `${prefix}: ${name} names a secret`);
      }
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value === "string") assert.equal(`${name}=${value}`, "RADIAL_KUSTOMIZE=/opt/bin/kustomize", "the only literal is the layer's path");
      }
    }
  });

  test("least privilege: each role holds exactly the actions its function uses, on its own resources", () => {
    const table = logicalId("AWS::DynamoDB::Table", "Inventory");
    const queue = logicalId("AWS::SQS::Queue", "GenerationQueue");
    const secret = (name: string) => logicalId("AWS::SecretsManager::Secret", `Secrets${name}`);
    const data = "dynamodb:BatchGetItem,dynamodb:BatchWriteItem,dynamodb:DeleteItem,dynamodb:GetItem,dynamodb:PutItem,dynamodb:Query,dynamodb:UpdateItem";
    const base = (fn: string) => [
      `logs:CreateLogStream,logs:PutLogEvents on ${logicalId("AWS::Logs::LogGroup", `${fn}Logs`)}.Arn`,
      "xray:PutTelemetryRecords,xray:PutTraceSegments on *",
    ];
    const send = `sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage on ${queue}.Arn`;
    const read = (name: string) => `secretsmanager:DescribeSecret,secretsmanager:GetSecretValue on ${secret(name)}`;
    const role = (prefix: string) => logicalId("AWS::IAM::Role", prefix);
    assert.deepEqual(
      grants(role("ApiRole")),
      [
        ...base("Api"),
        `${data.replace("dynamodb:DeleteItem", "dynamodb:DeleteItem,dynamodb:DescribeTable")} on ${table}.Arn ${table}.Arn/index/*`,
        send,
        read("GitCredentials"),
        read("AgentGitCredentials"),
        read("WebhookSecret"),
        "eks:CreateCluster,eks:DeleteCluster,eks:DescribeCluster,eks:TagResource on arn:AWS::Partition:eks:*:AWS::AccountId:cluster/*",
        'iam:PassRole on arn:AWS::Partition:iam::AWS::AccountId:role/* if {"StringEquals":{"iam:PassedToService":"eks.amazonaws.com"}}',
      ].sort(),
    );
    assert.deepEqual(
      grants(role("GenerationWorkerRole")),
      [
        ...base("GenerationWorker"),
        `sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage on ${queue}.Arn`,
        send,
        send.replace(queue, logicalId("AWS::SQS::Queue", "GenerationDeadLetters")),
        `${data} on ${table}.Arn ${table}.Arn/index/*`,
        read("GitCredentials"),
        read("HelmRepositories"),
      ].sort(),
    );
    assert.deepEqual(
      grants(role("GenerationScheduleRole")),
      [
        ...base("GenerationSchedule"),
        send,
        `dynamodb:BatchGetItem,dynamodb:GetItem,dynamodb:Query on ${table}.Arn ${table}.Arn/index/*`,
        read("GitCredentials"),
      ].sort(),
    );
    const api = logicalId("AWS::ApiGatewayV2::Api", "HttpApi");
    assert.deepEqual(grants(role("ConsoleSignInIdentitiesAuthenticatedRole")), [
      `execute-api:Invoke on arn:AWS::Partition:execute-api:AWS::Region:AWS::AccountId:${api}/*/*/*`,
    ]);
    const schedule = logicalId("AWS::Lambda::Function", "GenerationSchedule");
    assert.deepEqual(grants(role("GenerationScheduleInvoker")), [`lambda:InvokeFunction on ${schedule}.Arn ${schedule}.Arn:*`]);
  });

  test("generation: a FIFO queue with a dead-letter queue drained by the worker, a full-run schedule and a source-poll schedule invoking the schedule function", () => {
    const queue = resources[logicalId("AWS::SQS::Queue", "GenerationQueue")]!.Properties;
    const deadLetters = logicalId("AWS::SQS::Queue", "GenerationDeadLetters");
    assert.equal(queue.FifoQueue, true);
    assert.equal(resources[deadLetters]!.Properties.FifoQueue, true);
    assert.deepEqual(queue.RedrivePolicy, { deadLetterTargetArn: { "Fn::GetAtt": [deadLetters, "Arn"] }, maxReceiveCount: 3 });
    const worker = resources[logicalId("AWS::Lambda::Function", "GenerationWorker")]!.Properties;
    assert.ok(Number(queue.VisibilityTimeout) > Number(worker.Timeout), "a message stays hidden for longer than a run may take");
    assert.deepEqual(worker.EphemeralStorage, { Size: 2048 });
    const [[, mapping]] = ofType("AWS::Lambda::EventSourceMapping") as [[string, Resource]];
    assert.equal(render(mapping.Properties.FunctionName), logicalId("AWS::Lambda::Function", "GenerationWorker"));
    assert.deepEqual(mapping.Properties.FunctionResponseTypes, ["ReportBatchItemFailures"]);
    const schedules = ofType("AWS::Scheduler::Schedule").map(([, schedule]) => {
      const target = schedule.Properties.Target as { Arn: unknown; Input: string };
      return [render(schedule.Properties.ScheduleExpression), render(target.Arn), JSON.parse(target.Input) as unknown];
    });
    const scheduleFunction = `${logicalId("AWS::Lambda::Function", "GenerationSchedule")}.Arn`;
    assert.deepEqual(schedules.sort(), [
      ["rate(1 minute)", scheduleFunction, { action: "poll" }],
      ["rate(GenerateIntervalMinutes minutes)", scheduleFunction, { action: "run" }],
    ]);
  });

  test("the worker's layer holds kustomize and helm as linux/arm64 executables in bin/", async () => {
    const [[layerId, layer]] = ofType("AWS::Lambda::LayerVersion") as [[string, Resource]];
    for (const tool of ["kustomize", "helm"]) {
      const file = await open(join(out, String(layer.Metadata!["aws:asset:path"]), "bin", tool));
      const header = Buffer.alloc(20);
      await file.read(header, 0, 20, 0);
      await file.close();
      assert.equal(header.subarray(0, 4).toString("latin1"), "\x7fELF", tool);
      assert.equal(header[4], 2, `${tool}: 64-bit`);
      assert.equal(header.readUInt16LE(18), 183, `${tool}: e_machine EM_AARCH64`);
    }
    const worker = resources[logicalId("AWS::Lambda::Function", "GenerationWorker")]!.Properties;
    assert.deepEqual(worker.Layers, [{ Ref: layerId }]);
  });

  test("encryption at rest and in transit: table, queues, bucket, topic", () => {
    for (const [id, queue] of ofType("AWS::SQS::Queue")) assert.equal(queue.Properties.SqsManagedSseEnabled, true, id);
    const denied = ofType("AWS::SQS::QueuePolicy").map(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument));
    assert.equal(denied.length, 2);
    for (const document of denied) assert.match(document, /"aws:SecureTransport":"false"/);
    const [[, bucket]] = ofType("AWS::S3::Bucket") as [[string, Resource]];
    assert.deepEqual(bucket.Properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [[, topic]] = ofType("AWS::SNS::Topic") as [[string, Resource]];
    assert.equal(render(topic.Properties.KmsMasterKeyId), "arn:AWS::Partition:kms:AWS::Region:AWS::AccountId:alias/aws/sns");
  });

  test("the console's bucket is read by CloudFront only, through origin access control", () => {
    const [[oac]] = ofType("AWS::CloudFront::OriginAccessControl") as [[string, Resource]];
    const [[, distribution]] = ofType("AWS::CloudFront::Distribution") as [[string, Resource]];
    const config = distribution.Properties.DistributionConfig as { Origins: { OriginAccessControlId?: unknown }[]; DefaultRootObject: string };
    const s3 = config.Origins.filter((origin) => origin.OriginAccessControlId !== undefined);
    assert.deepEqual(
      s3.map((origin) => render(origin.OriginAccessControlId)),
      [`${oac}.Id`],
    );
    assert.equal(config.DefaultRootObject, "index.html");
    const [[, policy]] = ofType("AWS::S3::BucketPolicy") as [[string, Resource]];
    assert.match(JSON.stringify(policy.Properties.PolicyDocument), /"Service":"cloudfront.amazonaws.com"/);
  });

  test("the console's distribution passes /v1/* to the HTTP API uncached, every viewer header but Host, so a SigV4 signature for the API's host holds", () => {
    const [[, distribution]] = ofType("AWS::CloudFront::Distribution") as [[string, Resource]];
    type Behavior = Record<string, unknown> & { PathPattern?: string; TargetOriginId: string };
    const config = distribution.Properties.DistributionConfig as {
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: Record<string, unknown> }[];
      CacheBehaviors: Behavior[];
      DefaultCacheBehavior: Behavior;
    };
    assert.deepEqual(
      config.CacheBehaviors.map((b) => b.PathPattern),
      ["/v1/*"],
    );
    const [behavior] = config.CacheBehaviors as [Behavior];
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId)!;
    assert.equal(render(origin.DomainName), `${logicalId("AWS::ApiGatewayV2::Api", "HttpApi")}.execute-api.AWS::Region.AWS::URLSuffix`);
    assert.equal(origin.CustomOriginConfig?.OriginProtocolPolicy, "https-only");
    // CloudFront's managed policies: CachingDisabled, AllViewerExceptHostHeader.
    assert.equal(behavior.CachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
    assert.equal(behavior.OriginRequestPolicyId, "b689b0a8-53d0-40ab-baf2-68738e2966ac");
    assert.deepEqual(behavior.AllowedMethods, ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]);
    assert.equal(behavior.ViewerProtocolPolicy, "https-only");
    assert.notEqual(config.DefaultCacheBehavior.TargetOriginId, behavior.TargetOriginId, "everything else comes from the bucket");
  });

  test("the console's page is served with its Content-Security-Policy, which lets it call Cognito in the stack's region and nothing else but its origin", () => {
    const [[policyId, policy]] = ofType("AWS::CloudFront::ResponseHeadersPolicy") as [[string, Resource]];
    const [[, distribution]] = ofType("AWS::CloudFront::Distribution") as [[string, Resource]];
    const config = distribution.Properties.DistributionConfig as { DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown } };
    assert.equal(render(config.DefaultCacheBehavior.ResponseHeadersPolicyId), policyId);
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    assert.equal(
      render(headers.ContentSecurityPolicy!.ContentSecurityPolicy),
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' https://cognito-idp.AWS::Region.AWS::URLSuffix https://cognito-identity.AWS::Region.AWS::URLSuffix; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    assert.equal(headers.FrameOptions!.FrameOption, "DENY");
    assert.equal(headers.ReferrerPolicy!.ReferrerPolicy, "no-referrer");
  });

  test("console sign-in: operators the admin adds, MFA, a public client with the password flow only (no hosted page), and an identity pool for them only", () => {
    const [[poolId, pool]] = ofType("AWS::Cognito::UserPool") as [[string, Resource]];
    assert.deepEqual(pool.Properties.AdminCreateUserConfig, { AllowAdminCreateUserOnly: true });
    assert.equal(pool.Properties.MfaConfiguration, "ON");
    assert.deepEqual(pool.Properties.EnabledMfas, ["SOFTWARE_TOKEN_MFA"]);
    assert.equal(pool.DeletionPolicy, "Retain");
    const [[clientId, client]] = ofType("AWS::Cognito::UserPoolClient") as [[string, Resource]];
    assert.equal(client.Properties.GenerateSecret, false, "a browser keeps no secret");
    assert.deepEqual(client.Properties.ExplicitAuthFlows, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "no SRP or custom flow");
    assert.equal(client.Properties.AllowedOAuthFlowsUserPoolClient, false, "no OAuth: the console signs in on its own page");
    assert.deepEqual(ofType("AWS::Cognito::UserPoolDomain"), [], "no hosted sign-in page");
    const [[identitiesId, identities]] = ofType("AWS::Cognito::IdentityPool") as [[string, Resource]];
    assert.equal(identities.Properties.AllowUnauthenticatedIdentities, false);
    assert.deepEqual(
      (identities.Properties.CognitoIdentityProviders as { ClientId: unknown; ProviderName: unknown }[]).map((p) => [
        render(p.ClientId),
        render(p.ProviderName),
      ]),
      [[clientId, `cognito-idp.AWS::Region.AWS::URLSuffix/${poolId}`]],
    );
    const role = resources[logicalId("AWS::IAM::Role", "ConsoleSignInIdentitiesAuthenticatedRole")]!;
    const [trust] = (role.Properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] }).Statement as [Record<string, unknown>];
    assert.equal(trust.Action, "sts:AssumeRoleWithWebIdentity");
    assert.deepEqual(trust.Condition, {
      StringEquals: { "cognito-identity.amazonaws.com:aud": { Ref: identitiesId } },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
    });
    const [[, stage]] = ofType("AWS::ApiGatewayV2::Stage") as [[string, Resource]];
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    assert.equal(format.cognitoIdentity, "$context.identity.cognitoIdentityId", "the access log names a console call's operator");
  });

  test("the console's build is copied into its bucket on deploy, and the distribution's cache invalidated", async () => {
    const [[, deployment]] = ofType("Custom::CDKBucketDeployment") as [[string, Resource]];
    assert.deepEqual(deployment.Properties.DestinationBucketName, { Ref: logicalId("AWS::S3::Bucket", "ConsoleAssets") });
    assert.deepEqual(deployment.Properties.DistributionId, { Ref: logicalId("AWS::CloudFront::Distribution", "ConsoleDistribution") });
    const assets = (JSON.parse(await readFile(join(out, "RadialHub.assets.json"), "utf8")) as { files: Record<string, { source: { path: string } }> }).files;
    const [key] = deployment.Properties.SourceObjectKeys as [string];
    const console = assets[key.replace(/\.zip$/, "")];
    assert.ok(console, `the asset of ${key}`);
    assert.match(await readFile(join(out, console.source.path, "index.html"), "utf8"), /<div id="app">/);
  });

  test("the console's config.json is deployed beside its files, naming the stack's pools, client, region and API host, and the outputs name them too", async () => {
    const [[, deployment]] = ofType("Custom::CDKBucketDeployment") as [[string, Resource]];
    const assets = (JSON.parse(await readFile(join(out, "RadialHub.assets.json"), "utf8")) as { files: Record<string, { source: { path: string } }> }).files;
    const keys = deployment.Properties.SourceObjectKeys as string[];
    const markers = deployment.Properties.SourceMarkers as Record<string, unknown>[];
    const sources = await Promise.all(
      keys.map(async (key, index) => {
        const dir = join(out, assets[key.replace(/\.zip$/, "")]!.source.path);
        const config = await readFile(join(dir, "config.json"), "utf8").catch(() => null);
        return { config, markers: markers[index] ?? {} };
      }),
    );
    const written = sources.filter((source) => source.config !== null);
    assert.equal(written.length, 1, "one source writes config.json");
    // Deploy-time values are markers in the file, filled from the template's values when the deployment runs.
    const filled = Object.entries(written[0]!.markers).reduce((text, [marker, value]) => text.replaceAll(marker, render(value)), written[0]!.config!);
    const poolId = logicalId("AWS::Cognito::UserPool", "ConsoleSignInOperators");
    assert.deepEqual(JSON.parse(filled), {
      auth: "aws",
      region: "AWS::Region",
      userPoolId: poolId,
      userPoolClientId: logicalId("AWS::Cognito::UserPoolClient", "ConsoleSignIn"),
      identityPoolId: logicalId("AWS::Cognito::IdentityPool", "ConsoleSignIn"),
      apiHost: `${logicalId("AWS::ApiGatewayV2::Api", "HttpApi")}.execute-api.AWS::Region.AWS::URLSuffix`,
    });
    const { template } = await synthesizedHub();
    const outputs = (template as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    assert.equal(render(outputs.ConsoleUserPool?.Value), poolId);
    assert.equal(render(outputs.ConsoleUserPoolClient?.Value), logicalId("AWS::Cognito::UserPoolClient", "ConsoleSignIn"));
    assert.equal(render(outputs.ConsoleIdentityPool?.Value), logicalId("AWS::Cognito::IdentityPool", "ConsoleSignIn"));
  });

  test("alarms on every function's errors and throttles, dead-lettered generation triggers and DynamoDB throttling, all to one topic", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties);
    const topic = ofType("AWS::SNS::Topic")[0]![0];
    for (const alarm of alarms) assert.deepEqual(alarm.AlarmActions, [{ Ref: topic }]);
    for (const fn of hubFunctions().map(([id]) => id)) {
      for (const metric of ["Errors", "Throttles"]) {
        assert.ok(
          alarms.some((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(fn)),
          `an alarm on ${fn}'s ${metric}`,
        );
      }
    }
    assert.ok(
      alarms.some((a) => a.MetricName === "ApproximateNumberOfMessagesVisible"),
      "dead-lettered generation triggers",
    );
    assert.ok(
      alarms.some((a) => JSON.stringify(a.Metrics ?? []).includes("ThrottledRequests")),
      "DynamoDB throttling",
    );
  });

  test("cfn-lint finds no error in the template", async () => {
    const { code, matches } = await cfnLint(join(out, "RadialHub.template.json"));
    const errors = matches.filter((match) => /:E\d{4}:/.test(match));
    assert.deepEqual(errors, []);
    assert.equal(code & 2, 0, matches.join("\n"));
  });

  test("cdk-nag's AwsSolutions pack passed: every finding is acknowledged, each with its reason", async () => {
    const report = JSON.parse(await readFile(join(out, "validation-report.json"), "utf8")) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[]; suppressedViolations: { ruleName: string; reason?: string }[] }[];
    };
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === "AwsSolutions");
    assert.ok(nag, "the AwsSolutions pack ran");
    assert.equal(nag.conclusion, "success");
    assert.deepEqual(nag.violations, []);
    for (const finding of nag.suppressedViolations) assert.ok((finding.reason ?? "").length > 20, `${finding.ruleName} is acknowledged with a reason`);
  });

  test("the same pack fails a synth on a finding nobody acknowledged", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "radial-cdk-"));
    const app = new App({ outdir });
    new Bucket(new Stack(app, "Unacknowledged"), "NoAccessLogs", { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      assert.throws(() => app.synth(), /Validation failed/);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
