import { useEffect } from "preact/hooks";

/** The marks the console sets, read by bench/console/browser.ts (milliseconds from navigation start). */
export const MARKS = {
  /** The overview drawn with the fleet's counts. */
  overview: "radial:overview-shown",
  /** The clusters table drawn with every cluster loaded. */
  clustersFilled: "radial:clusters-filled",
} as const;

/** Sets `name` (performance.mark) once per page load, after the render in which `shown` first holds. */
export function useFirstShown(name: string, shown: boolean): void {
  useEffect(() => {
    if (shown && performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
  }, [name, shown]);
}
