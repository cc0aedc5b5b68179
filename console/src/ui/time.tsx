import { useEffect, useState } from "preact/hooks";

// One clock for every age on the page: a single timer, whatever the number of rows showing.
const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    listeners.add(setNow);
    timer ??= setInterval(() => {
      const time = Date.now();
      for (const listener of listeners) listener(time);
    }, 1000);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return now;
}

/** "45 s", "3 min", "2 h", "4 d": how long ago, coarse as a glance needs. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** A time as its age ("12 s ago"), with the exact time on hover and for assistive technology. */
export function Ago({ at, never = "never" }: { at: string | null | undefined; never?: string }) {
  const now = useNow();
  if (!at) return <span class="muted">{never}</span>;
  const seconds = (now - Date.parse(at)) / 1000;
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {seconds < 0 ? `in ${duration(-seconds)}` : `${duration(seconds)} ago`}
    </time>
  );
}

/** A commit id shortened for reading, whole on hover. */
export function Revision({ revision }: { revision: string | null | undefined }) {
  if (!revision) return <span class="muted">none</span>;
  return (
    <code class="revision" title={revision}>
      {revision.slice(0, 7)}
    </code>
  );
}
