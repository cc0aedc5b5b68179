// `npm run image [-- --out FILE]`: the agent's container image, assembled without Docker, as an OCI
// image layout in one tarball, ready to push (skopeo copy oci-archive:FILE docker://..., or crane
// push on the unpacked folder). Two layers: the runtime (the npm registry's node-linux-<arch> build
// of build/node-runtime.ts, the shared libraries it links against, taken from this machine, and
// /etc/passwd naming uid 65532) and the agent bundle (agent/bundle.ts). No shell, no package
// manager; node carries its own CA store. crane (build/crane.ts) writes the manifest and config.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readlink, rm, stat, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AGENT_ENV, AGENT_NODE_FLAGS, bundleAgent } from "../agent/bundle.js";
import { VERSION } from "../core/version.js";
import { installCrane } from "./crane.js";
import { installNodePackage, NODE_VERSION } from "./node-runtime.js";

const exec = promisify(execFile);

/** Where things live in the image. */
export const IMAGE_PATHS = { node: "/usr/local/bin/node", bundle: "/app/radial.mjs", data: "/var/lib/radial" } as const;
/** The distroless `nonroot` user, which the bootstrap manifest's securityContext also names. */
export const IMAGE_USER = "65532:65532";
/** The bootstrap manifest passes `agent` as the container's args; the entrypoint is node and the bundle. */
export const IMAGE_ENTRYPOINT = [IMAGE_PATHS.node, ...AGENT_NODE_FLAGS, IMAGE_PATHS.bundle];
/** Node.js architecture names → OCI platform architectures. */
export const OCI_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

export type Progress = (line: string) => void;

/** The shared libraries `binary` needs, and the dynamic loader, as this machine resolves them. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await exec("ldd", [binary]);
  return [...stdout.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1]!);
}

/** Copies `source` to `<tree><path>` (a symlink's target's contents), with `mode`. */
async function place(tree: string, path: string, source: string, mode: number): Promise<void> {
  const target = join(tree, path);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(source, target);
  await chmod(target, mode);
}

/** The runtime layer's tree: node, its license, the libraries it loads, the user, writable folders. */
async function runtimeTree(tree: string, nodeDir: string): Promise<void> {
  const node = join(nodeDir, "bin", "node");
  await place(tree, IMAGE_PATHS.node, node, 0o755);
  await place(tree, "/usr/local/share/doc/node/LICENSE", join(nodeDir, "LICENSE"), 0o644);
  for (const library of await sharedLibraries(node)) {
    await place(tree, library, library, 0o755);
    // Debian's /lib64/ld-linux-x86-64.so.2 is a link to the loader beside the libraries: keep both names.
    const link = await readlink(library).catch(() => undefined);
    if (link) await place(tree, resolve(dirname(library), link), library, 0o755);
  }
  await mkdir(join(tree, "etc"), { recursive: true });
  await writeFile(join(tree, "etc/passwd"), "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
  await writeFile(join(tree, "etc/group"), "root:x:0:\nnonroot:x:65532:\n");
  // Root-owned like everything in the layer, so writable by all (sticky); in a cluster both are volumes.
  for (const folder of ["/tmp", IMAGE_PATHS.data, "/home/nonroot"]) {
    await mkdir(join(tree, folder), { recursive: true });
    await chmod(join(tree, folder), 0o1777);
  }
}

/** A layer tarball of `tree`: root-owned, sorted, with fixed times, so the same input gives the same digest. */
async function layer(tree: string, out: string): Promise<void> {
  await exec("tar", [
    "--create",
    "--file",
    out,
    "--directory",
    tree,
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mtime=@0",
    "--format=gnu",
    ".",
  ]);
}

/** `crane registry serve` on a free loopback port: crane edits images in a registry, never in files. */
async function serveRegistry(crane: string, disk: string): Promise<{ host: string; child: ChildProcess }> {
  const child = spawn(crane, ["registry", "serve", "--address", "127.0.0.1:0", "--disk", disk], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  const port = await new Promise<string>((found, failed) => {
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on port (\d+)/.exec(output);
      if (match) found(match[1]!);
    });
    child.once("exit", (code) => failed(new Error(`crane registry serve exited with ${code}: ${output.trim()}`)));
  });
  return { host: `127.0.0.1:${port}`, child };
}

async function crane(binary: string, args: string[]): Promise<string> {
  try {
    return (await exec(binary, args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
  } catch (error) {
    throw new Error(`crane ${args[0]} failed: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`, { cause: error });
  }
}

/** The image's settings, as `crane mutate` flags. */
function configFlags(arch: string): string[] {
  return [
    ...["--user", IMAGE_USER, "--workdir", "/", "--cmd", "agent", "--exposed-ports", "8080/tcp", "--set-platform", `linux/${arch}`],
    ...["--entrypoint", IMAGE_ENTRYPOINT.join(",")],
    ...Object.entries({ ...AGENT_ENV, NODE_ENV: "production", HOME: "/home/nonroot" }).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
    ...["--label", `org.opencontainers.image.version=${VERSION}`, "--label", "org.opencontainers.image.title=radial-agent"],
  ];
}

/** Pushes the layers to a scratch registry, sets the config, and pulls the result as an OCI layout folder. */
async function assemble(binary: string, layers: string[], arch: string, layout: string, scratch: string, progress: Progress): Promise<string> {
  await mkdir(join(scratch, "registry"));
  const registry = await serveRegistry(binary, join(scratch, "registry"));
  try {
    const base = `${registry.host}/radial-agent:layers`;
    const image = `${registry.host}/radial-agent:${VERSION}`;
    progress("appending the layers to an empty OCI image");
    await crane(binary, ["append", "--oci-empty-base", "--new_tag", base, ...layers.flatMap((file) => ["--new_layer", file])]);
    progress(`setting user ${IMAGE_USER}, entrypoint and environment`);
    await crane(binary, ["mutate", base, "--tag", image, ...configFlags(arch)]);
    progress("writing the OCI image layout");
    await crane(binary, ["pull", "--format", "oci", image, layout]);
    return await crane(binary, ["digest", image]);
  } finally {
    registry.child.kill();
  }
}

/** Builds the image into the OCI layout tarball `out`; returns its manifest digest. */
export async function buildImage(out: string, progress: Progress = () => undefined): Promise<{ digest: string; bytes: number }> {
  const arch = OCI_ARCH[process.arch];
  if (!arch) throw new Error(`the agent image is built for linux/amd64 or linux/arm64, not ${process.arch}`);
  const scratch = await mkdtemp(join(tmpdir(), "radial-image-"));
  try {
    progress(`node ${NODE_VERSION}: the npm registry's node-linux-${process.arch}`);
    const [nodeDir, binary] = await Promise.all([installNodePackage(progress), installCrane({ onProgress: progress })]);
    const [runtime, app] = [join(scratch, "runtime"), join(scratch, "app")];
    progress("runtime layer: node, the shared libraries it loads, /etc/passwd");
    await runtimeTree(runtime, nodeDir);
    progress("agent layer: bundling agent/main.ts");
    await bundleAgent(join(app, IMAGE_PATHS.bundle));
    await Promise.all([layer(runtime, join(scratch, "runtime.tar")), layer(app, join(scratch, "app.tar"))]);
    const layout = join(scratch, "layout");
    const digest = await assemble(binary, [join(scratch, "runtime.tar"), join(scratch, "app.tar")], arch, layout, scratch, progress);
    await mkdir(dirname(resolve(out)), { recursive: true });
    await layer(layout, resolve(out));
    return { digest, bytes: (await stat(out)).size };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const out = at > 0 ? process.argv[at + 1] : `dist/radial-agent-${VERSION}-linux-${OCI_ARCH[process.arch] ?? process.arch}.oci.tar`;
  if (!out) {
    console.error("usage: npm run image [-- --out FILE]");
    process.exit(2);
  }
  const started = Date.now();
  const progress: Progress = (line) => console.error(`image: ${line} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  try {
    const { digest, bytes } = await buildImage(out, progress);
    console.error(`image: ${digest}, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
    console.log(out);
  } catch (error) {
    console.error(`image: ${(error as Error).message}`);
    process.exit(1);
  }
}
