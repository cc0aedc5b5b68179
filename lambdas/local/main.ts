// `npm start`: the embedded hub on this machine.
import { Logger } from "@aws-lambda-powertools/logger";
import { resolve } from "node:path";
import { startHub } from "./hub.js";

const logger = new Logger({ serviceName: "radial-hub" });
const port = Number(process.env.PORT ?? 8420);
const dataDir = resolve(process.env.RADIAL_DATA_DIR ?? ".radial");
const host = process.env.RADIAL_HOST ?? "127.0.0.1";

try {
  const hub = await startHub({ port, host, dataDir, logger });
  logger.info("hub started", { url: hub.url, dataDir });
  console.error(`Radial hub listening on ${hub.url} (data in ${dataDir}); try ${hub.url}/healthz`);
  const shutdown = () => {
    hub.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  const message = (error as NodeJS.ErrnoException).code === "EADDRINUSE" ? `port ${port} is in use; set PORT to another port` : (error as Error).message;
  console.error(`radial hub failed to start: ${message}`);
  process.exit(1);
}
