import type { Logger } from "@aws-lambda-powertools/logger";
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { installKustomize } from "../adapters/kustomize/install.js";
import { installHelm } from "../adapters/helm/install.js";
import { generateIntervalSeconds, startSchedule } from "../generate/schedule.js";
import { sourcePollIntervalSeconds, startSourcePoll } from "../generate/source-poll.js";
import { createHub } from "../composition.js";
import { generationRunner } from "../generation-runner.js";
import { createApiHandler, type ApiHandler } from "../http/api-handler.js";
import { HttpError } from "../http/http-error.js";
import { PrometheusHubMetrics } from "../http/prometheus-metrics.js";
import { hashToken } from "../inventory/token.js";
import { loadAdminToken } from "./admin-token.js";
import { startEmbeddedDynamoDB } from "./embedded-dynamodb.js";
import { consoleFiles } from "./console-files.js";
import { createLocalServer } from "./server.js";

export interface HubOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  dataDir: string;
  logger: Logger;
  /**
   * RADIAL_ADMIN_TOKEN, RADIAL_DYNAMODB_ENDPOINT (another DynamoDB, e.g. DynamoDB Local, instead
   * of the embedded one), RADIAL_GENERATE_INTERVAL (seconds between scheduled generation runs,
   * default 300, 0 for none), RADIAL_SOURCE_POLL_INTERVAL (seconds between source polls, default
   * 10, 0 for none) and the settings `createHub` reads.
   */
  env: NodeJS.ProcessEnv;
  /** The console's built files (console/build.ts), served at `/`; without it the hub serves the API alone. */
  consoleDir?: string;
  /**
   * Keep the fleet snapshot fresh in the background (default). False reads it only while someone
   * reads, as a Lambda function does: bench/aws-cost.ts counts AWS's reads through this hub.
   */
  keepFleetFresh?: boolean;
}

export interface RunningHub {
  url: string;
  admin: { token: string; path: string | null; created: boolean };
  stop(): Promise<void>;
}

/** The embedded hub's table; `radial hub backup` and `restore` read and write it too. */
export const TABLE_NAME = "radial";

/** The embedded hub: the Lambda handlers behind a local HTTP server, with dynalite as the inventory. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const interval = generateIntervalSeconds(options.env);
  await mkdir(options.dataDir, { recursive: true });
  const admin = await loadAdminToken(options.dataDir, options.env.RADIAL_ADMIN_TOKEN);
  const external = options.env.RADIAL_DYNAMODB_ENDPOINT;
  const dynamo = external ? { endpoint: external, close: () => Promise.resolve() } : await startEmbeddedDynamoDB(options.dataDir);
  // A setting refused below must not leave the store or the port held open.
  const cleanups: (() => unknown)[] = [() => dynamo.close()];
  try {
    return await serve(options, interval, admin, dynamo.endpoint, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw error;
  }
}

async function serve(
  options: HubOptions,
  interval: number,
  admin: Awaited<ReturnType<typeof loadAdminToken>>,
  endpoint: string,
  /** What to undo, in reverse, if starting fails; the first entry closes the store. */
  cleanups: (() => unknown)[],
): Promise<RunningHub> {
  const closeStore = cleanups[0]!;
  // The hub needs its own URL (for bootstrap manifests), known only once listening.
  const api: { handler?: ApiHandler } = {};
  const server = createLocalServer(
    (event: APIGatewayProxyEventV2) => (api.handler ? api.handler(event) : Promise.reject(new HttpError("unavailable", "the hub is starting; try again"))),
    (error) => options.logger.error("request failed", { error: error as Error }),
    options.consoleDir === undefined ? undefined : consoleFiles(options.consoleDir),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const closeServer = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(closeServer);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  const env = options.env;
  const pollSeconds = sourcePollIntervalSeconds(env);
  const hub = createHub({
    inventory: {
      tableName: TABLE_NAME,
      client: {
        endpoint,
        region: env.AWS_REGION ?? "local",
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "local", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "local" },
      },
    },
    hubUrl: env.RADIAL_HUB_URL ?? url,
    adminTokenHash: hashToken(admin.token),
    env,
    workDir: options.dataDir,
    logger: options.logger,
    // Without RADIAL_KUSTOMIZE, the kustomize the project pins: cached, or built on first use.
    kustomize: () => installKustomize({ env, onProgress: (line) => options.logger.info("installing kustomize", { progress: line }) }),
    // Without RADIAL_HELM, the helm the project pins, the same way.
    helm: () => installHelm({ env, onProgress: (line) => options.logger.info("installing helm", { progress: line }) }),
    onBackgroundError: (error, what) => options.logger.error(`${what} failed`, { error: error as Error }),
    metrics: new PrometheusHubMetrics(),
    runner: generationRunner,
  });
  cleanups.push(() => hub.close());
  await hub.ensureInventory();
  const { context } = hub;
  api.handler = createApiHandler(context, options.logger);
  // In process a trigger is queued at once and never refused.
  const schedule = startSchedule(() => void context.generation?.trigger("schedule"), context.generation ? interval : 0);
  const sourcePoll = context.sourcePoll && startSourcePoll(context.sourcePoll, () => context.generation?.trigger("poll"), pollSeconds);
  const fleet = options.keepFleetFresh === false ? undefined : context.fleet.keepFresh();
  return {
    url,
    admin,
    async stop() {
      schedule.stop();
      sourcePoll?.stop();
      fleet?.stop();
      await closeServer();
      // Background runs use the inventory; let them finish before it goes away.
      await context.generation?.idle();
      hub.close();
      await closeStore();
    },
  };
}
