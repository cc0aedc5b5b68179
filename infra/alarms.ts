import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Operation, type Table } from "aws-cdk-lib/aws-dynamodb";
import { Alias } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface HubAlarmsProps {
  functions: Record<string, IFunction>;
  table: Table;
  /** Where failed generation messages end up. */
  deadLetters: Queue;
}

/** The operations the hub sends to its table; throttling of any of them is an alarm. */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
];

/**
 * The hub's alarms, each raised on the first occurrence in five minutes and sent to one SNS topic
 * that operators subscribe to: every function's errors and throttles, a generation message given up
 * on (dead-lettered), and DynamoDB throttling.
 */
export class HubAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", {
      displayName: "Radial hub alarms",
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
    });
    const action = new SnsAction(this.topic);
    const alarm = (name: string, description: string, metric: IMetric) => {
      new Alarm(this, name, {
        alarmDescription: `Radial hub: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    };
    const period = Duration.minutes(5);
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, `the ${name} function failed`, fn.metricErrors({ period, statistic: "Sum" }));
      alarm(`${name}Throttles`, `the ${name} function was throttled`, fn.metricThrottles({ period, statistic: "Sum" }));
    }
    alarm(
      "GenerationDeadLetters",
      "a generation trigger failed every attempt and was dead-lettered (its runs are in the generation history, with their errors)",
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
    );
    alarm(
      "TableThrottles",
      "DynamoDB throttled requests to the inventory table",
      props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period }),
    );
  }
}
