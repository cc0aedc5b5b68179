import { Duration, Size } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction, ILayerVersion } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { z } from "zod";
import type { ScheduleEnvironment, WorkerEnvironment } from "../lambdas/handlers/environment.js";
import type { ScheduleInput } from "../lambdas/handlers/schedule-input.js";
import { environment } from "./environment.js";
import { hubFunction } from "./hub-function.js";

/** A run's time limit; a run killed at it leaves no half-written branch (each ref update is a compare-and-swap). */
export const WORKER_TIMEOUT = Duration.minutes(10);
/** Deliveries of one message before it goes to the dead-letter queue. */
export const MAX_RECEIVES = 3;

export interface GenerationProps {
  /** The worker's environment but the queue, which this construct makes. */
  workerEnvironment: Omit<z.input<typeof WorkerEnvironment>, "RADIAL_GENERATION_QUEUE_URL" | "RADIAL_GENERATION_DLQ_URL">;
  /** kustomize and helm for linux/arm64. */
  toolsLayer: ILayerVersion;
  /** The schedule function's environment but the queue: it reads the history and the fleet, and polls the fleet repo. */
  scheduleEnvironment: Omit<z.input<typeof ScheduleEnvironment>, "RADIAL_GENERATION_QUEUE_URL">;
  /** Minutes between scheduled runs (a CloudFormation parameter's value). */
  intervalMinutes: string;
}

/**
 * Generation on AWS: one SQS FIFO queue whose single message group serializes runs (Lambda hands
 * a group's messages to one invocation at a time), drained by the worker; a message that fails
 * MAX_RECEIVES times goes to the dead-letter queue, and one that is no generation message goes
 * there at once (the worker records each failed run, with its reason, in the generation history). EventBridge Scheduler invokes the schedule function: every
 * interval to queue a full run, every minute to poll the fleet repo's source branch.
 */
export class Generation extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: LambdaFunction;
  readonly scheduler: LambdaFunction;
  /** The role EventBridge Scheduler invokes the schedule function with. */
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: GenerationProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, "DeadLetters", {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, "Queue", {
      fifo: true,
      // Identical triggers within five minutes are one message: a burst of changes costs one run.
      contentBasedDeduplication: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a run, so a message is not handed out again while its run is still going.
      visibilityTimeout: WORKER_TIMEOUT.plus(Duration.minutes(2)),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
    const queueUrl = { RADIAL_GENERATION_QUEUE_URL: this.queue.queueUrl };
    const workerEnvironment: z.input<typeof WorkerEnvironment> = {
      ...props.workerEnvironment,
      ...queueUrl,
      RADIAL_GENERATION_DLQ_URL: this.deadLetters.queueUrl,
    };
    const scheduleEnvironment: z.input<typeof ScheduleEnvironment> = { ...props.scheduleEnvironment, ...queueUrl };
    this.worker = hubFunction(this, "Worker", {
      handler: "generate-worker.ts",
      description: "Radial hub: generation worker (drains the generation queue, writes deploy branches)",
      memorySize: 2048,
      timeout: WORKER_TIMEOUT,
      // The fleet repo's git objects and hydrated sources live under /tmp between warm runs.
      ephemeralStorage: Size.gibibytes(2),
      layers: [props.toolsLayer],
      environment: environment(workerEnvironment),
    });
    // A batch is worked in order; a failure hands back that message and every later one.
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    this.queue.grantSendMessages(this.worker);
    // A message that is no generation message goes to the dead-letter queue at once, with its reason.
    this.deadLetters.grantSendMessages(this.worker);
    this.scheduler = hubFunction(this, "Schedule", {
      handler: "schedule.ts",
      description: "Radial hub: queues scheduled generation runs, polls the fleet repo, counts stale clusters",
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: environment(scheduleEnvironment),
    });
    this.queue.grantSendMessages(this.scheduler);
    this.schedulerRole = new Role(this, "ScheduleInvoker", { assumedBy: new ServicePrincipal("scheduler.amazonaws.com") });
    const invoke = (input: ScheduleInput) =>
      new LambdaInvoke(this.scheduler, {
        role: this.schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
        input: ScheduleTargetInput.fromObject(input),
      });
    new Schedule(this, "Every", {
      description: "Radial hub: scheduled generation run",
      schedule: ScheduleExpression.expression(`rate(${props.intervalMinutes} minutes)`),
      target: invoke({ action: "run" }),
    });
    // Scheduler's finest rate: a push with no webhook is generated within about a minute.
    new Schedule(this, "SourcePoll", {
      description: "Radial hub: source poll (a generation run only when the fleet repo's source branch moved)",
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: invoke({ action: "poll" }),
    });
  }
}
