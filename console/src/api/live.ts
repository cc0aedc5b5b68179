import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure } from "./client.js";

/**
 * How often a view asks again. Well inside an agent's heartbeat (30 s by default), and cheap: an
 * unchanged answer is a 304 to the ETag sent. A hidden tab does not ask at all.
 */
export const LIVE_INTERVAL_MS = 4000;

export interface Live<T> {
  data: T | undefined;
  /** The last load's failure; `data` keeps the last good answer meanwhile. */
  error: ApiFailure | undefined;
  /** Loads again now (after an action), without waiting for the interval. */
  refresh: () => void;
}

/** A load that may report what it has so far (the first pages of a long list) before it ends. */
export type Loader<T> = (partial: (value: T) => void) => Promise<T>;

function asFailure(error: unknown): ApiFailure {
  return error instanceof ApiFailure ? error : new ApiFailure(0, "unexpected", (error as Error).message);
}

/**
 * Keeps `load`'s answer current: loads now, then every LIVE_INTERVAL_MS while the tab is visible.
 * `key` names what is loaded: a new key starts afresh, a null key loads nothing.
 */
export function useLive<T>(key: string | null, load: Loader<T>): Live<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiFailure }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (key === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One load at a time: a wake-up during a load asks for another right after it.
    let running = false;
    let again = false;
    setState({ key });
    const next = () => {
      timer = setTimeout(() => {
        if (document.hidden) next();
        else void tick();
      }, LIVE_INTERVAL_MS);
    };
    const tick = async () => {
      clearTimeout(timer);
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const data = await loadRef.current((partial) => {
          if (!stopped) setState({ key, data: partial });
        });
        if (!stopped) setState((old) => (old.data === data && !old.error ? old : { key, data }));
      } catch (error) {
        if (!stopped) setState((old) => ({ key, data: old.key === key ? old.data : undefined, error: asFailure(error) }));
      }
      running = false;
      if (stopped) return;
      if (again) {
        again = false;
        void tick();
      } else next();
    };
    wake.current = () => void tick();
    const onVisible = () => !document.hidden && void tick();
    document.addEventListener("visibilitychange", onVisible);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [key]);

  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, refresh: () => wake.current() };
}
