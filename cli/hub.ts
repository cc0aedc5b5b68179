import { Logger } from "@aws-lambda-powertools/logger";
import type { Command } from "commander";
import { resolve } from "node:path";
import { EXIT } from "../core/exit.js";
import { HubSetupError } from "../lambdas/local/setup-error.js";

interface HubUpOptions {
  port: string;
  host: string;
  dataDir: string;
}

async function hubUp(options: HubUpOptions): Promise<void> {
  const logger = new Logger({ serviceName: "radial-hub" });
  const dataDir = resolve(options.dataDir);
  const port = Number(options.port);
  try {
    // Loaded here, not at the top: every other command would otherwise load the whole hub first.
    const { startHub } = await import("../lambdas/local/hub.js");
    const hub = await startHub({ port, host: options.host, dataDir, logger, env: process.env });
    logger.info("hub started", { url: hub.url, dataDir });
    console.error(`Radial hub listening on ${hub.url} (data in ${dataDir}); try ${hub.url}/healthz`);
    if (hub.admin.created) {
      console.error(`Admin token (shown once; also kept in ${hub.admin.path}):\n  export RADIAL_HUB=${hub.url} RADIAL_TOKEN=${hub.admin.token}`);
    } else if (hub.admin.path) {
      console.error(`Admin token: export RADIAL_HUB=${hub.url} RADIAL_TOKEN=$(cat ${hub.admin.path})`);
    }
    const shutdown = () =>
      void hub.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
    console.error(`radial: the hub failed to start: ${inUse ? `port ${port} is in use; pass --port or set PORT` : (error as Error).message}`);
    process.exit(error instanceof HubSetupError ? EXIT.usage : EXIT.refused);
  }
}

export function registerHubCommands(program: Command): void {
  program
    .command("hub")
    .description("run the hub")
    .command("up")
    .description("run the embedded hub on this machine (what `npm start` runs)")
    .option("--port <port>", "port to listen on; 0 picks a free one (env PORT)", process.env.PORT ?? "8420")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "where the inventory is kept (env RADIAL_DATA_DIR)", process.env.RADIAL_DATA_DIR ?? ".radial")
    .action(hubUp);
}
