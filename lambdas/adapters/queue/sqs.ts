import type * as SqsSdk from "./sqs-sdk.js";
import type { SendMessageCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { randomUUID } from "node:crypto";
import { isRequestedRun, type GenerationMessage, type GenerationQueue } from "../../generate/queue.js";
import { NO_AWS_CLIENT_HOOK, type AwsClientHook } from "../aws-clients.js";

/**
 * The generation queue on AWS: an SQS FIFO queue whose messages all share one message group, so
 * SQS hands the worker function one batch at a time, in order, and the next only once that batch
 * is done: runs never overlap, and no trigger is lost while a run is under way. A requested run is
 * deduplicated by its id (a retried send queues it once); each trigger is its own message, and the
 * worker runs one drain for a batch's triggers.
 */
export const GENERATION_MESSAGE_GROUP = "generation";

/**
 * One SQS client, made at the first send with the entry point's hook applied. The SDK's module is
 * imported then too: the API function sends only on inventory changes, webhooks and
 * `POST /v1/generate`, so its cold start neither loads nor (as a chunk of its own) compiles it.
 */
class SqsSender {
  private sdk: Promise<typeof SqsSdk> | undefined;
  private client: SQSClient | undefined;

  constructor(private readonly hook: AwsClientHook) {}

  async send(input: SendMessageCommandInput): Promise<void> {
    this.sdk ??= import("./sqs-sdk.js");
    const sdk = await this.sdk;
    this.client ??= this.hook(new sdk.SQSClient({}));
    await this.client.send(new sdk.SendMessageCommand(input));
  }
}

export class SqsGenerationQueue implements GenerationQueue {
  private readonly sqs: SqsSender;

  constructor(
    private readonly queueUrl: string,
    awsClients: AwsClientHook = NO_AWS_CLIENT_HOOK,
  ) {
    this.sqs = new SqsSender(awsClients);
  }

  async send(message: GenerationMessage): Promise<void> {
    await this.sqs.send({
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(message),
      MessageGroupId: GENERATION_MESSAGE_GROUP,
      MessageDeduplicationId: isRequestedRun(message) ? message.id : randomUUID(),
    });
  }

  /** Nothing runs in this process: the worker function drains the queue. */
  idle(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The generation queue's dead-letter queue (FIFO, like the queue): the worker moves a message it
 * cannot process there itself, with the reason as the `reason` message attribute. Messages whose
 * runs keep failing get there by the queue's redrive policy, their failures in the history.
 */
export class SqsDeadLetters {
  private readonly sqs: SqsSender;

  constructor(
    private readonly queueUrl: string,
    awsClients: AwsClientHook = NO_AWS_CLIENT_HOOK,
  ) {
    this.sqs = new SqsSender(awsClients);
  }

  async send(message: { messageId: string; body: string }, reason: string): Promise<void> {
    await this.sqs.send({
      QueueUrl: this.queueUrl,
      MessageBody: message.body,
      MessageGroupId: GENERATION_MESSAGE_GROUP,
      MessageDeduplicationId: message.messageId,
      MessageAttributes: { reason: { DataType: "String", StringValue: reason.slice(0, 1024) } },
    });
  }
}
