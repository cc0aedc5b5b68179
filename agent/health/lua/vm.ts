/**
 * Users' Lua health scripts, compiled once into one Lua 5.4 state (wasmoon: Lua built to
 * WebAssembly) and run there on demand, each run in a fresh sandbox (sandbox.ts) within an
 * instruction and a memory budget. Nothing a script does escapes as an exception: a syntax error,
 * a runtime error, a budget overrun or a bad return value becomes that resource's Unknown health
 * with the reason, as gitops-engine turns a failing Lua check into Unknown.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LuaFactory, LuaLibraries, type LuaEngine } from "wasmoon";
import { HealthStatus } from "../../../contract/status-report.js";
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { SANDBOX_LUA } from "./sandbox.js";

export interface LuaLimits {
  /** Lua VM instructions one run may execute (Argo CD gives a script one second). */
  instructions: number;
  /** Bytes one run may allocate beyond what the compiled scripts hold. */
  memoryBytes: number;
}

export const LUA_LIMITS: LuaLimits = { instructions: 10_000_000, memoryBytes: 32 * 1024 * 1024 };

/** gitops-engine's words for a status its Lua checks may not return. */
const INVALID_STATUS = "Lua returned an invalid health status";

/** In a checkout, wasmoon's own copy; in the agent's bundle, the copy agent/bundle.ts puts beside it. */
function wasmFile(): string {
  try {
    return createRequire(import.meta.url).resolve("wasmoon/dist/glue.wasm");
  } catch {
    return fileURLToPath(new URL("glue.wasm", import.meta.url));
  }
}

let factory: LuaFactory | undefined;

/** JSON as Lua sees it after Argo CD's decodeValue: null is nil (a missing key, or a hole in a list). */
function withoutNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = withoutNulls(item);
  return out;
}

type RunResult = { error: string } | { status?: string; message?: string };

export class LuaHealthScripts {
  private constructor(
    private readonly engine: LuaEngine | undefined,
    /** Per script name: why it cannot run (a syntax error, or no Lua VM at all). */
    private readonly broken: ReadonlyMap<string, string>,
    private readonly limits: LuaLimits,
  ) {}

  /** Compiles every script (name → source); one that does not compile answers every run with its error. */
  static async compile(scripts: ReadonlyMap<string, string>, limits: LuaLimits = LUA_LIMITS): Promise<LuaHealthScripts> {
    let engine: LuaEngine;
    try {
      factory ??= new LuaFactory(wasmFile());
      engine = await factory.createEngine({ openStandardLibs: false, enableProxy: false, injectObjects: false, traceAllocations: true });
    } catch (error) {
      const reason = `the Lua VM could not start: ${(error as Error).message}`;
      return new LuaHealthScripts(undefined, new Map([...scripts.keys()].map((name) => [name, reason])), limits);
    }
    for (const library of [LuaLibraries.Base, LuaLibraries.Table, LuaLibraries.String, LuaLibraries.Math, LuaLibraries.OS, LuaLibraries.Debug])
      engine.global.loadLibrary(library);
    engine.doStringSync(SANDBOX_LUA);
    const compile = engine.global.get("radial_compile") as (name: string, source: string) => string | undefined;
    const broken = new Map<string, string>();
    for (const [name, source] of scripts) {
      const error = compile(name, source);
      if (error) broken.set(name, error);
    }
    return new LuaHealthScripts(engine, broken, limits);
  }

  /** The health script `name` gives `object`; Unknown with the reason when it cannot give one. */
  run(name: string, object: KubeObject): ResourceHealth {
    const broken = this.broken.get(name);
    if (broken !== undefined || !this.engine) return { status: "Unknown", message: broken ?? `no health script ${name}` };
    const global = this.engine.global;
    const { managedFields: _ignored, ...metadata } = object.metadata;
    let result: RunResult;
    global.setMemoryMax(global.getMemoryUsed() + this.limits.memoryBytes);
    try {
      const run = global.get("radial_run") as (name: string, obj: unknown, instructions: number, bytes: number) => RunResult;
      result = run(name, withoutNulls({ ...object, metadata }), this.limits.instructions, this.limits.memoryBytes);
    } catch (error) {
      result = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      global.setMemoryMax(undefined);
    }
    if ("error" in result) return { status: "Unknown", message: result.error };
    const status = HealthStatus.safeParse(result.status);
    if (!status.success) return { status: "Unknown", message: INVALID_STATUS };
    return result.message ? { status: status.data, message: result.message } : { status: status.data };
  }

  close(): void {
    this.engine?.global.close();
  }
}
