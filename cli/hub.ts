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
    // A fresh checkout has no built console yet, and an edited one a stale build: build it (about a second), so `npm start` just works.
    const { consoleAssets } = await import("../console/build.js");
    const hub = await startHub({ port, host: options.host, dataDir, logger, env: process.env, consoleDir: await consoleAssets() });
    logger.info("hub started", { url: hub.url, dataDir });
    console.error(`Radial hub listening on ${hub.url} (data in ${dataDir}); open ${hub.url}/ for the console`);
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

interface DataDirOptions {
  dataDir: string;
}

/** Runs a hub maintenance command; a data dir or file it cannot use exits 2, as a bad option does, any other failure 1. */
async function maintenance(what: string, run: () => Promise<string>): Promise<void> {
  try {
    console.error(await run());
  } catch (error) {
    console.error(`radial: ${what} failed: ${(error as Error).message}`);
    process.exit(error instanceof HubSetupError ? EXIT.usage : EXIT.refused);
  }
}

async function hubBackup(file: string, options: DataDirOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  await maintenance("the backup", async () => {
    const { backupHub } = await import("../lambdas/local/backup.js");
    const { items, clusters } = await backupHub(dataDir, resolve(file));
    return `Backed up ${items} items (${clusters} clusters, their statuses and the generation history; no token, only hashes) from ${dataDir} to ${file}`;
  });
}

async function hubRestore(file: string, options: DataDirOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  await maintenance("the restore", async () => {
    const { restoreHub } = await import("../lambdas/local/backup.js");
    const { items, previous } = await restoreHub(dataDir, resolve(file));
    const kept = previous ? `; the inventory it replaced is kept in ${previous} (delete it once the hub runs well)` : "";
    return `Restored ${items} items from ${file} into ${dataDir}${kept}`;
  });
}

const dataDirOption = ["--data-dir <dir>", "where the inventory is kept (env RADIAL_DATA_DIR)", process.env.RADIAL_DATA_DIR ?? ".radial"] as const;

export function registerHubCommands(program: Command): void {
  const hub = program.command("hub").description("run the hub");
  hub
    .command("up")
    .description("run the embedded hub on this machine (what `npm start` runs)")
    .option("--port <port>", "port to listen on; 0 picks a free one (env PORT)", process.env.PORT ?? "8420")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(...dataDirOption)
    .action(hubUp);
  hub
    .command("backup")
    .argument("<file>", "where to write the backup (JSON, mode 0600)")
    .description("write the stopped embedded hub's inventory, statuses and generation history to FILE (on AWS, use DynamoDB point-in-time recovery)")
    .option(...dataDirOption)
    .action(hubBackup);
  hub
    .command("restore")
    .argument("<file>", "a file written by radial hub backup")
    .description("replace the stopped embedded hub's inventory with FILE's; the file is checked first and the old inventory kept beside it")
    .option(...dataDirOption)
    .action(hubRestore);
}
