// The synthesized stack's resources made on the local engines from the template's own properties,
// so what the Lambda suite runs against is what deploys: the table in DynamoDB Local, the queues
// and secrets in moto, each function's environment with the template's references resolved.
import { CreateTableCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateScheduleCommand, type CreateScheduleCommandInput, type SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { CloudAssembly } from "../infra/synth.js";

/** What the template's `Ref` and `Fn::GetAtt` resolve to here: a logical id (or parameter name), or `id.Attribute`. */
export type References = Map<string, string>;

function resourcesOf(assembly: CloudAssembly, type: string): [string, Record<string, unknown>][] {
  return Object.entries(assembly.template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties]);
}

/** A template value with its intrinsics resolved; one this file cannot resolve is an error naming it. */
export function resolve(value: unknown, refs: References): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, refs));
  const object = value as Record<string, unknown>;
  const lookup = (key: string) => {
    const found = refs.get(key);
    if (found === undefined) throw new Error(`the template refers to ${key}, which the local stack does not make`);
    return found;
  };
  if ("Ref" in object) return lookup(String(object.Ref));
  if ("Fn::GetAtt" in object) return lookup((object["Fn::GetAtt"] as string[]).join("."));
  if ("Fn::Join" in object) {
    const [separator, parts] = object["Fn::Join"] as [string, unknown[]];
    return parts.map((part) => String(resolve(part, refs))).join(separator);
  }
  if (Object.keys(object).some((key) => key.startsWith("Fn::"))) throw new Error(`no local resolution of ${JSON.stringify(object)}`);
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolve(item, refs)]));
}

/** A template scalar as text (a parameter's default, a queue attribute); anything else as JSON. */
function scalar(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

/** The parameters' values: the given ones by name, the others their defaults; a parameter with neither is an error. */
export function parameters(assembly: CloudAssembly, values: Record<string, string>, refs: References): void {
  for (const [name, parameter] of Object.entries(assembly.template.Parameters)) {
    const value = values[name] ?? (parameter.Default === undefined ? undefined : scalar(parameter.Default));
    // CDK's bootstrap version parameter names an SSM parameter only a deployment reads.
    if (value === undefined && name !== "BootstrapVersion") throw new Error(`the template's parameter ${name} has no default: give it a value`);
    if (value !== undefined) refs.set(name, value);
  }
}

/** The table's settings of AWS's storage (backups, encryption at rest), with nothing to make on a local engine. */
const AWS_STORAGE_SETTINGS = ["PointInTimeRecoverySpecification", "SSESpecification"];

/**
 * The one inventory table in DynamoDB Local, from its AWS::DynamoDB::Table properties: keys,
 * attributes, every index, billing, streams and TTL as CloudFormation would create them. Point-in-
 * time recovery and server-side encryption are AWS's storage settings, with nothing to do on a
 * local engine; any other property fails here, so a new one cannot slip past the suite unmapped.
 */
export async function createTable(dynamodb: DynamoDBClient, assembly: CloudAssembly, tableName: string, refs: References): Promise<void> {
  const tables = resourcesOf(assembly, "AWS::DynamoDB::Table");
  if (tables.length !== 1) throw new Error(`the template has ${tables.length} tables, not one`);
  const [[id, properties]] = tables as [[string, Record<string, unknown>]];
  const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, LocalSecondaryIndexes, BillingMode, ProvisionedThroughput, StreamSpecification, ...rest } =
    properties;
  const { TimeToLiveSpecification, DeletionProtectionEnabled, ...others } = rest;
  const unmapped = Object.fromEntries(Object.entries(others).filter(([key]) => !AWS_STORAGE_SETTINGS.includes(key)));
  if (Object.keys(unmapped).length > 0) throw new Error(`the table's ${Object.keys(unmapped).join(", ")} have no local mapping: add one here`);
  const input = {
    TableName: tableName,
    KeySchema,
    AttributeDefinitions,
    GlobalSecondaryIndexes,
    LocalSecondaryIndexes,
    BillingMode,
    ProvisionedThroughput,
    DeletionProtectionEnabled,
    ...(StreamSpecification ? { StreamSpecification: { StreamEnabled: true, ...StreamSpecification } } : {}),
  } as CreateTableCommandInput;
  await dynamodb.send(new CreateTableCommand(input));
  if (TimeToLiveSpecification) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } }),
    );
  }
  refs.set(id, tableName);
}

/** Every AWS::SQS::Queue in moto with the template's properties as queue attributes; a queue's dead-letter queue first. */
export async function createQueues(sqs: SQSClient, assembly: CloudAssembly, refs: References): Promise<void> {
  const queues = resourcesOf(assembly, "AWS::SQS::Queue").sort(([, a], [, b]) => Number("RedrivePolicy" in a) - Number("RedrivePolicy" in b));
  for (const [id, properties] of queues) {
    const { QueueName, ...settings } = properties;
    delete settings.Tags;
    const attributes = Object.fromEntries(Object.entries(resolve(settings, refs) as Record<string, unknown>).map(([key, value]) => [key, scalar(value)]));
    const name = typeof QueueName === "string" ? QueueName : `${id}${settings.FifoQueue === true ? ".fifo" : ""}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    refs.set(id, QueueUrl!);
    refs.set(`${id}.Arn`, arn!);
  }
}

/**
 * Every AWS::SecretsManager::Secret in moto: the value given for it (by the start of its logical
 * id) where the template generates one in AWS, else the template's own SecretString.
 */
export async function createSecrets(secrets: SecretsManagerClient, assembly: CloudAssembly, values: Record<string, string>, refs: References): Promise<void> {
  for (const [id, properties] of resourcesOf(assembly, "AWS::SecretsManager::Secret")) {
    const given = Object.entries(values).find(([prefix]) => id.startsWith(prefix))?.[1];
    const value = given ?? (typeof properties.SecretString === "string" ? properties.SecretString : undefined);
    if (value === undefined) throw new Error(`the template generates secret ${id}'s value in AWS: give it a test value`);
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name: id, SecretString: value }));
    refs.set(id, ARN!);
  }
}

/** A function's environment variables as the template sets them, resolved. */
export function functionEnvironment(assembly: CloudAssembly, logicalId: string, refs: References): Record<string, string> {
  const variables = (assembly.template.Resources[logicalId]?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(resolve(value, refs))]));
}

/**
 * Every AWS::Scheduler::Schedule in moto as the template defines it (expression, time zone, window,
 * target with its role, input and retry policy), named by logical id. moto keeps schedules but
 * never fires them: `fire` in hub.ts reads one back and invokes its target with its input.
 */
export async function createSchedules(scheduler: SchedulerClient, assembly: CloudAssembly, refs: References): Promise<void> {
  for (const [id, properties] of resourcesOf(assembly, "AWS::Scheduler::Schedule")) {
    const input = { Name: id, ...(resolve(properties, refs) as Omit<CreateScheduleCommandInput, "Name">) };
    await scheduler.send(new CreateScheduleCommand(input));
  }
}

/** A function's logical id by the ARN `refs` gives its `Arn` attribute. */
export function functionByArn(arn: string, refs: References): string {
  const id = [...refs].find(([key, value]) => key.endsWith(".Arn") && value === arn)?.[0];
  if (!id) throw new Error(`no function of the local stack has ARN ${arn}`);
  return id.slice(0, -".Arn".length);
}
