import { CfnOutput, CfnParameter, Duration, Stack, type StackProps } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { Architecture, Code, LayerVersion, type Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import type { z } from "zod";
import { VERSION } from "../core/version.js";
import type { ApiEnvironment } from "../lambdas/handlers/environment.js";
import { HubAlarms } from "./alarms.js";
import { apiHost, ConsoleHosting } from "./console-hosting.js";
import { ConsoleSignIn } from "./console-sign-in.js";
import { grantEksAccess } from "./eks-permissions.js";
import { environment } from "./environment.js";
import { Generation } from "./generation.js";
import { HubHttpApi } from "./http-api.js";
import { hubFunction, RUNTIME } from "./hub-function.js";
import { inventoryTable } from "./inventory-table.js";
import { acknowledgeNagFindings } from "./nag.js";
import { apiRoutes } from "./routes.js";
import { LAYER_BIN } from "./tools-layer.js";
import { HubSecrets } from "./secrets.js";

export interface HubStackProps extends StackProps {
  /** A folder holding `bin/kustomize` and `bin/helm` built for linux/arm64 (`toolsLayerDir()`), the worker's layer. */
  toolsLayerDir: string;
  /** The console's built files; without them the console's bucket and distribution wait for them. */
  consoleAssetsDir?: string;
}

/** What the operator chooses at deploy time (`cdk deploy --parameters Name=value`). */
function parameters(stack: Stack) {
  return {
    repoUrl: new CfnParameter(stack, "RepoUrl", {
      description: "The fleet repo's HTTPS URL: generator files on the source branch, and the deploy branches the hub writes",
      allowedPattern: "^https?://\\S+$",
      constraintDescription: "an http:// or https:// URL",
    }),
    sourceBranch: new CfnParameter(stack, "SourceBranch", { description: "The branch holding generators/ and apps/", default: "main", minLength: 1 }),
    agentImage: new CfnParameter(stack, "AgentImage", {
      description: "The agent image bootstrap manifests name",
      default: `radial/agent:${VERSION}`,
      minLength: 1,
    }),
    pollIntervalSeconds: new CfnParameter(stack, "PollIntervalSeconds", {
      type: "Number",
      description: "How often agents report and look for a new revision; a cluster silent for three intervals is stale",
      default: 30,
      minValue: 5,
      maxValue: 3600,
    }),
    generateIntervalMinutes: new CfnParameter(stack, "GenerateIntervalMinutes", {
      type: "Number",
      description: "Minutes between scheduled generation runs (inventory changes, the webhook and POST /v1/generate also start runs)",
      default: 5,
      minValue: 2,
      maxValue: 1440,
    }),
  };
}

/**
 * The hub on AWS: the inventory table, the HTTP API and its function, generation through a FIFO
 * queue drained by the worker and a schedule, the secrets, alarms, and the console's hosting.
 */
export class HubStack extends Stack {
  readonly table: Table;
  readonly api: LambdaFunction;
  readonly generation: Generation;
  readonly http: HubHttpApi;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, { description: `Radial hub ${VERSION}: a serverless GitOps hub for fleets of Kubernetes clusters`, ...props });
    const params = parameters(this);
    this.table = inventoryTable(this, "Inventory");
    const secrets = new HubSecrets(this, "Secrets");
    // The worker finds helm on PATH (/opt/bin), its default; kustomize is named.
    const tools = new LayerVersion(this, "Tools", {
      description: `kustomize and helm for linux/arm64, in ${LAYER_BIN}`,
      code: Code.fromAsset(props.toolsLayerDir, { exclude: [".complete"] }),
      compatibleArchitectures: [Architecture.ARM_64],
      compatibleRuntimes: [RUNTIME],
    });
    const fleet = {
      RADIAL_TABLE_NAME: this.table.tableName,
      RADIAL_REPO_URL: params.repoUrl.valueAsString,
      RADIAL_SOURCE_BRANCH: params.sourceBranch.valueAsString,
    };
    this.generation = new Generation(this, "Generation", {
      workerEnvironment: {
        ...fleet,
        RADIAL_GIT_SECRET_ID: secrets.git.secretArn,
        RADIAL_HELM_SECRET_ID: secrets.helmRepositories.secretArn,
        RADIAL_KUSTOMIZE: `${LAYER_BIN}/kustomize`,
      },
      scheduleEnvironment: { ...fleet, RADIAL_GIT_SECRET_ID: secrets.git.secretArn, RADIAL_POLL_INTERVAL_SECONDS: params.pollIntervalSeconds.valueAsString },
      toolsLayer: tools,
      intervalMinutes: params.generateIntervalMinutes.valueAsString,
    });
    this.http = new HubHttpApi(this, "Http");
    const apiEnvironment: z.input<typeof ApiEnvironment> = {
      ...fleet,
      RADIAL_GENERATION_QUEUE_URL: this.generation.queue.queueUrl,
      RADIAL_HUB_URL: this.http.api.apiEndpoint,
      RADIAL_AGENT_IMAGE: params.agentImage.valueAsString,
      RADIAL_POLL_INTERVAL_SECONDS: params.pollIntervalSeconds.valueAsString,
      RADIAL_GIT_SECRET_ID: secrets.git.secretArn,
      RADIAL_AGENT_GIT_SECRET_ID: secrets.agentGit.secretArn,
      RADIAL_WEBHOOK_SECRET_ID: secrets.webhook.secretArn,
    };
    this.api = hubFunction(this, "Api", {
      handler: "api.ts",
      description: "Radial hub: the HTTP API",
      memorySize: 512,
      // API Gateway gives up on an integration after 30 seconds.
      timeout: Duration.seconds(29),
      environment: environment(apiEnvironment),
    });
    this.http.mount(apiRoutes(), this.api);
    this.grant(secrets);
    const console = this.console(props.consoleAssetsDir);
    const alarms = new HubAlarms(this, "Alarms", {
      functions: { Api: this.api, Worker: this.generation.worker, Schedule: this.generation.scheduler },
      table: this.table,
      deadLetters: this.generation.deadLetters,
    });
    new CfnOutput(this, "HubUrl", { description: "The hub's URL: radial --hub, and where agents report", value: this.http.api.apiEndpoint });
    new CfnOutput(this, "OperatorInvokeArn", {
      description: "Allow execute-api:Invoke on this in an operator's IAM policy (narrow it: .../*/GET/* for read-only)",
      value: this.http.api.arnForExecuteApi(),
    });
    new CfnOutput(this, "AlarmTopic", { description: "Subscribe to this SNS topic for the hub's alarms", value: alarms.topic.topicArn });
    new CfnOutput(this, "GitSecret", { description: "Put the hub's fleet repo credential here", value: secrets.git.secretArn });
    new CfnOutput(this, "AgentGitSecret", { description: "Put the agents' read-only fleet repo credential here", value: secrets.agentGit.secretArn });
    new CfnOutput(this, "WebhookSecret", { description: "The git webhook's shared secret", value: secrets.webhook.secretArn });
    new CfnOutput(this, "HelmRepositoriesSecret", {
      description: "Put chart repository credentials here, by URL prefix",
      value: secrets.helmRepositories.secretArn,
    });
    acknowledgeNagFindings({
      functionRoles: [this.api.role!, this.generation.worker.role!, this.generation.scheduler.role!],
      table: this.table,
      schedulerRole: this.generation.schedulerRole,
      scheduleFunction: this.generation.scheduler,
      openRoutes: this.http.openRoutes,
      secrets: secrets.all(),
      consoleBucket: console.bucket,
      consoleDistribution: console.distribution,
      // CDK makes the BucketDeployment's function once per stack, at the stack's root.
      consoleDeployment: this.node.children.find((child) => child.node.id.startsWith("Custom::CDKBucketDeployment")),
    });
  }

  /** The console's hosting and sign-in, its files with the config.json naming them, and the outputs an operator needs. */
  private console(assetsDir: string | undefined): ConsoleHosting {
    const console = new ConsoleHosting(this, "Console", { api: this.http.api });
    const signIn = new ConsoleSignIn(this, "ConsoleSignIn", { api: this.http.api });
    if (assetsDir !== undefined)
      console.deploy(assetsDir, {
        auth: "aws",
        region: this.region,
        userPoolId: signIn.userPool.userPoolId,
        userPoolClientId: signIn.client.userPoolClientId,
        identityPoolId: signIn.identityPool.identityPoolId,
        apiHost: apiHost(this.http.api),
      });
    new CfnOutput(this, "ConsoleUrl", { description: "The console", value: `https://${console.distribution.distributionDomainName}` });
    new CfnOutput(this, "ConsoleUserPool", {
      description: "The console's operators: add one with aws cognito-idp admin-create-user --user-pool-id <this> --username <email>",
      value: signIn.userPool.userPoolId,
    });
    new CfnOutput(this, "ConsoleUserPoolClient", {
      description: "The console's app client in that pool (its config.json names it): the password flow, then TOTP MFA",
      value: signIn.client.userPoolClientId,
    });
    new CfnOutput(this, "ConsoleIdentityPool", {
      description: "Gives signed-in console operators temporary credentials of a role allowed execute-api:Invoke on this API",
      value: signIn.identityPool.identityPoolId,
    });
    return console;
  }

  /** Each function gets the table operations, queue and secrets it uses, and nothing else. */
  private grant(secrets: HubSecrets): void {
    const { worker, scheduler, queue } = this.generation;
    const data = ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"].map((action) => `dynamodb:${action}`);
    this.table.grant(this.api, ...data, "dynamodb:DescribeTable");
    this.table.grant(worker, ...data);
    // The schedule function reads the generation history (the source poll's baseline) and the fleet (stale clusters).
    this.table.grant(scheduler, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query");
    queue.grantSendMessages(this.api);
    for (const secret of [secrets.git, secrets.agentGit, secrets.webhook]) secret.grantRead(this.api);
    secrets.git.grantRead(worker);
    secrets.git.grantRead(scheduler);
    secrets.helmRepositories.grantRead(worker);
    grantEksAccess(this.api.role!);
  }
}
