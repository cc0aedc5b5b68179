// cdk-nag's AwsSolutions findings this stack accepts, each on the construct it concerns and with
// the reason it is accepted. Anything else cdk-nag finds fails the synth (infra/app.ts) and the test.
import { Stack, Validations, type CfnElement } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

export interface NagScopes {
  functionRoles: IConstruct[];
  table: IConstruct;
  /** EventBridge Scheduler's role, which invokes the schedule function. */
  schedulerRole: IConstruct;
  scheduleFunction: IConstruct;
  /** The routes without an IAM authorizer (agent, webhook, public). */
  openRoutes: IConstruct[];
  secrets: IConstruct[];
  consoleBucket: IConstruct;
  consoleDistribution: IConstruct;
  /** The function of CDK's BucketDeployment custom resource that copies the console's files, when there are any. */
  consoleDeployment?: IConstruct;
}

function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/** How cdk-nag prints a resource's ARN in a finding: `<LogicalId.Arn>`. */
function arn(resource: IConstruct): string {
  return `<${Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;
}

export function acknowledgeNagFindings(scopes: NagScopes): void {
  const tableArn = arn(scopes.table);
  for (const role of scopes.functionRoles) {
    acknowledge(role, "IAM5[Resource::*]", "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource but *.");
    acknowledge(role, `IAM5[Resource::${tableArn}/index/*]`, "Queries of this table's own indexes (byShard); no other table.");
  }
  acknowledge(
    scopes.schedulerRole,
    `IAM5[Resource::${arn(scopes.scheduleFunction)}:*]`,
    "Granted by aws-scheduler-targets: invoking the schedule function's versions.",
  );
  for (const route of scopes.openRoutes) {
    acknowledge(
      route,
      "APIG4",
      "Not an operator route: agents send their own bearer token and the webhook its HMAC signature, both checked by the hub; health and the API description are public.",
    );
  }
  for (const secret of scopes.secrets) {
    acknowledge(
      secret,
      "SMG4",
      "Git credentials are tokens issued and rotated by the git host, and the webhook secret must change together with the git host's webhook: no rotation function can do either.",
    );
  }
  acknowledge(scopes.consoleBucket, "S1", "It holds the console's public build output only and is read only by CloudFront, whose logs would record access.");
  const distribution = scopes.consoleDistribution;
  acknowledge(distribution, "CFR1", "Operators use the console wherever they are; it serves static files only, and the data behind it needs IAM.");
  acknowledge(distribution, "CFR2", "Static files only; the API the console calls is IAM-authorized and throttled by API Gateway.");
  acknowledge(distribution, "CFR3", "Static files only, the same for everyone; turn on standard logging to keep access records.");
  acknowledge(distribution, "CFR4", "The default *.cloudfront.net certificate cannot pin a TLS minimum; a custom domain with TLSv1.2_2021 can.");
  if (scopes.consoleDeployment) acknowledgeBucketDeployment(scopes.consoleDeployment, arn(scopes.consoleBucket));
}

/** CDK's BucketDeployment makes its function and role itself; they run only while a deploy copies the console. */
function acknowledgeBucketDeployment(deployment: IConstruct, bucketArn: string): void {
  const role = deployment.node.findChild("ServiceRole");
  const made = "Made by CDK's BucketDeployment, which copies the console's files from CDK's asset bucket into the console's bucket";
  acknowledge(role, "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]", `${made}: it writes its logs.`);
  for (const action of ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"]) {
    acknowledge(role, `IAM5[Action::${action}]`, `${made}: reading the asset and replacing the bucket's objects.`);
  }
  acknowledge(role, "IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]", `${made}: the asset's object.`);
  acknowledge(role, `IAM5[Resource::${bucketArn}/*]`, `${made}: the console's own objects only.`);
  acknowledge(role, "IAM5[Resource::*]", `${made}: CloudFront's CreateInvalidation takes no narrower resource in its policy.`);
  acknowledge(deployment, "L1", `${made}; CDK pins its Python runtime.`);
}
