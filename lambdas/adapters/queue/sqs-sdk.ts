// What the queue adapters use of the SDK's SQS client: sqs.ts imports this module at the first
// send. An import() of the package itself would bundle every command it has.
export { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
