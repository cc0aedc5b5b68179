import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cached, fingerprint } from "./cache.js";
import { freePort, run, startDaemon, waitFor } from "./process.js";

const POM = join(dirname(fileURLToPath(import.meta.url)), "dynamodb-local", "pom.xml");
const MAIN_CLASS = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";

/**
 * A small heap is plenty for test tables. C1 only and the serial GC make startup faster and
 * memory use smaller on a small machine; tests never run long enough to need C2.
 */
const JVM_FLAGS = ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** The pinned DynamoDB Local version, read from the pom so that file stays the one place to change it. */
function dynamoDBLocalVersion(pom: string): string {
  const version = /<dynamodb-local\.version>([^<]+)</.exec(pom)?.[1];
  if (!version) throw new Error(`${POM} sets no dynamodb-local.version`);
  return version;
}

/**
 * Moves sqlite4java's native library out of the jar folder as `native/libsqlite4java.so`. That is
 * the name DynamoDB Local's loader looks for under `-Dorg.sqlite.lib.path`; Maven's copy is named
 * `libsqlite4java-linux-amd64-<version>.so` (byte-identical to the one bundled in DynamoDB Local).
 */
async function placeNativeLibrary(dir: string): Promise<void> {
  const lib = join(dir, "lib");
  const so = (await readdir(lib)).find((name) => /^libsqlite4java-linux-amd64-.*\.so$/.test(name));
  if (!so) throw new Error(`mvn copied no libsqlite4java-linux-amd64 .so into ${lib}`);
  await mkdir(join(dir, "native"));
  await rename(join(lib, so), join(dir, "native", "libsqlite4java.so"));
}

/**
 * Returns a cache folder holding DynamoDB Local's jars under `lib/` and its native SQLite library
 * under `native/`, resolving them from Maven Central on first use. The key includes a hash of the
 * pom, so changing the version or the copy settings builds a fresh folder.
 */
export async function installDynamoDBLocal(): Promise<string> {
  const pom = await readFile(POM, "utf8");
  return cached(`dynamodb-local-${dynamoDBLocalVersion(pom)}-${fingerprint(pom)}`, async (dir) => {
    const copy = ["-B", "-q", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${join(dir, "lib")}`];
    await run("mvn", copy, { label: "mvn" });
    await placeNativeLibrary(dir);
  });
}

export interface DynamoDBLocal {
  /** Base URL for an AWS SDK client's `endpoint`; any region and dummy credentials work. */
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Without `org.sqlite.lib.path`, DynamoDB Local extracts its bundled SQLite library into /tmp on
 * every start and leaves it behind when killed. `-sharedDb` gives every credential and region the
 * same tables, so clients in tests need not agree on dummy credentials. `-disableTelemetry` keeps it
 * off the network. It has no option to choose the bind address: it listens on all interfaces.
 */
function serverArgs(dir: string, port: number): string[] {
  return [
    ...JVM_FLAGS,
    `-Dorg.sqlite.lib.path=${join(dir, "native")}`,
    "-cp",
    join(dir, "lib", "*"),
    MAIN_CLASS,
    "-inMemory",
    "-sharedDb",
    "-disableTelemetry",
    "-port",
    String(port),
  ];
}

/** Answers once the server serves a real API call; one attempt each, as waitFor does the retrying. */
async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "probe", secretAccessKey: "probe" },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({}));
    return true;
  } finally {
    client.destroy();
  }
}

/** Starts an in-memory DynamoDB Local on a free port and resolves once it answers ListTables. */
export async function startDynamoDBLocal(): Promise<DynamoDBLocal> {
  const dir = await installDynamoDBLocal();
  const port = await freePort();
  const daemon = startDaemon("java", serverArgs(dir, port), { label: "dynamodb-local" });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor("DynamoDB Local", () => answers(endpoint), { daemon }).catch(async (error: unknown) => {
    await daemon.stop();
    throw error;
  });
  return { endpoint, pid: daemon.child.pid!, stop: () => daemon.stop() };
}
