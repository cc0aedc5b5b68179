import { REBUILD_LIMITS, REBUILD_PHASES, TERMINAL_REBUILD_PHASES, type RebuildPhase, type RebuildState } from "../../contract/index.js";

export const isTerminal = (phase: RebuildPhase): boolean => TERMINAL_REBUILD_PHASES.includes(phase);

/** A message within REBUILD_LIMITS.maxMessageBytes of UTF-8, so the cluster item stays within its budget (contract/clusters.ts). */
function bounded(message: string): string {
  let text = message;
  while (Buffer.byteLength(text) > REBUILD_LIMITS.maxMessageBytes) text = `${text.slice(0, Math.floor(text.length * 0.9) - 1)}…`;
  return text;
}

const seconds = (from: string, to: Date): number => Math.max(0, (to.getTime() - Date.parse(from)) / 1000);

/** `state` moved into `phase` at `now`: the phase it leaves gets its duration; a terminal phase ends the rebuild. */
export function enter(state: RebuildState, phase: RebuildPhase, now: Date, message: string | null = null): RebuildState {
  if (state.phase === phase) return state;
  const phases = state.phases.map((entry, index) => (index === state.phases.length - 1 ? { ...entry, seconds: seconds(entry.enteredAt, now) } : entry));
  const at = now.toISOString();
  const terminal = isTerminal(phase);
  return {
    ...state,
    phase,
    phases: [...phases, { phase, enteredAt: at, seconds: terminal ? 0 : null }],
    finishedAt: terminal ? at : null,
    totalSeconds: terminal ? seconds(state.requestedAt, now) : null,
    message: message === null ? state.message : bounded(message),
  };
}

const order = (phase: RebuildPhase) => REBUILD_PHASES.indexOf(phase);

/** Enters each phase of `path` in turn, skipping those `state` is in or has passed. */
export function enterAll(state: RebuildState, path: readonly RebuildPhase[], now: Date): RebuildState {
  let next = state;
  for (const phase of path) if (order(phase) > order(next.phase)) next = enter(next, phase, now);
  return next;
}

/**
 * When a rebuild found late ended: at its deadline, not when someone happened to look (phases
 * advance on reads), unless a phase was entered after the deadline.
 */
export function endOf(state: RebuildState, now: Date): Date {
  const last = Date.parse(state.phases[state.phases.length - 1]!.enteredAt);
  return new Date(Math.min(now.getTime(), Math.max(Date.parse(state.deadline), last)));
}

/** The phases a rebuild goes through after its control plane is up, in order. */
export const AGENT_PATH: readonly RebuildPhase[] = ["AwaitingAgent", "AgentConnected", "Syncing", "Converged"];
