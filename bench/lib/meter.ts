import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** What a phase of a benchmark cost, to tell which process was the bottleneck. */
export interface Usage {
  wallMs: number;
  /** CPU time of this Node process over wall time: 1.0 is one core busy the whole phase. */
  nodeCores: number;
  /** Share of the phase the main thread's event loop was busy (0..1); near 1 means it is saturated. */
  eventLoop: number;
  /** Same as `nodeCores`, for the separate engine process, when there is one. */
  engineCores: number | null;
  /** Requests this process sent through node:http; see countHttpRequests. */
  httpRequests: number;
}

/** Linux reports /proc times in clock ticks of USER_HZ, which is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** User plus system CPU time of another process, in ms, from /proc/<pid>/stat. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the full line, so 11 and 12 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Counts requests this process sends through node:http from now until `stop()`. A benchmark that
 * calls its server with fetch (undici, not counted) sees the server's own outgoing calls, such as
 * the AWS SDK's calls to DynamoDB.
 */
export function countHttpRequests(): { stop(): number } {
  let count = 0;
  const onRequest = () => count++;
  subscribe("http.client.request.start", onRequest);
  return {
    stop() {
      unsubscribe("http.client.request.start", onRequest);
      return count;
    },
  };
}

/** Starts measuring now; `stop()` returns the usage since. `enginePid` is a separate engine process, if any. */
export function startMeter(enginePid?: number): { startedAt: number; stop(): Usage } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const engine = enginePid === undefined ? null : processCpuMs(enginePid);
  const requests = countHttpRequests();
  return {
    /** performance.now() at the start, for rates reported along the way. */
    startedAt: wall,
    stop() {
      const wallMs = performance.now() - wall;
      const used = process.cpuUsage(cpu);
      return {
        wallMs,
        nodeCores: (used.user + used.system) / 1000 / wallMs,
        eventLoop: performance.eventLoopUtilization(loop).utilization,
        engineCores: engine === null ? null : (processCpuMs(enginePid!) - engine) / wallMs,
        httpRequests: requests.stop(),
      };
    },
  };
}
