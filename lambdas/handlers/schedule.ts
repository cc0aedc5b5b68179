import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import { parseEnvironment, ScheduleEnvironment } from "./environment.js";
import { lambdaHub } from "./lambda-context.js";
import { observability } from "./observability.js";
import { parseScheduleInput } from "./schedule-input.js";

const { logger, metrics, tracer, awsClients } = observability("radial-schedule");
const hub = await lambdaHub(parseEnvironment(ScheduleEnvironment, process.env), logger, { awsClients });
const { generation, sourcePoll, fleet } = hub.context;
if (!generation || !sourcePoll) throw new Error("generation is not configured: set RADIAL_REPO_URL on the schedule function");

/** What one invocation did: whether it queued a run, and why (or why not). */
export interface ScheduleResult {
  queued: boolean;
  reason: string;
  staleClusters: number;
}

/**
 * EventBridge Scheduler's target (the embedded hub's interval timer and source poll, on AWS):
 * `run` queues a scheduled run; `poll` asks the source poll (one ls-refs per head the newest run
 * read) and queues a run only when a head moved. Either way the fleet's stale clusters (silent past
 * their deadline) are counted, as the StaleClusters metric.
 */
export const handler = middy(async (event: unknown): Promise<ScheduleResult> => {
  const { action } = parseScheduleInput(event);
  const staleClusters = (await fleet.overview(null)).clusters.stale;
  metrics.addMetric("StaleClusters", MetricUnit.Count, staleClusters);
  if (action === "run") {
    await generation.trigger("schedule");
    logger.info("scheduled generation run queued", { staleClusters });
    return { queued: true, reason: "the scheduled run", staleClusters };
  }
  const polled = await sourcePoll.poll();
  if (polled.moved) await generation.trigger("poll");
  logger.info(polled.moved ? "source poll: a head moved; generation run queued" : "source poll: nothing to run", { reason: polled.reason, staleClusters });
  return { queued: polled.moved, reason: polled.reason, staleClusters };
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(captureLambdaHandler(tracer));
