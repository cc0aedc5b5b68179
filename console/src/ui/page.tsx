import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { ApiFailure } from "../api/client.js";
import type { Live } from "../api/live.js";
import { href } from "../routes.js";

/** A view's frame: its heading (focused when the view opens, so a screen reader announces it) and the tab title. */
export function Page({ title, subtitle, children }: { title: string; subtitle?: ComponentChildren; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Radial`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {subtitle && <p class="subtitle">{subtitle}</p>}
      {children}
    </>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/\W+/g, "-")}-heading`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Failure({ error }: { error: ApiFailure }) {
  return (
    <p class="failure" role="alert">
      {error.message}
    </p>
  );
}

/** What an unknown cluster, application or address shows: where to go instead, never a blank page. */
export function NotFound({ what, detail }: { what: string; detail?: string }) {
  return (
    <Page title="Not found">
      <div class="not-found" role="alert">
        <p>
          <strong>{what}</strong> was not found{detail ? `: ${detail}` : "."}
        </p>
        <p>
          Go to the <a href={href({ view: "overview" })}>fleet overview</a> or the{" "}
          <a href={href({ view: "clusters", selector: "", search: "", sort: "name", descending: false })}>clusters</a>.
        </p>
      </div>
    </Page>
  );
}

/**
 * Renders a live answer: loading, the not-found view for a 404, the answer (with the last load's
 * failure above it when a later poll failed), or the failure alone. `children` renders its own Page.
 */
export function Loaded<T>({ live, title, notFound, children }: { live: Live<T>; title: string; notFound: string; children: (data: T) => ComponentChildren }) {
  if (live.error?.notFound) return <NotFound what={notFound} detail={live.error.message} />;
  if (live.data === undefined) return <Page title={title}>{live.error ? <Failure error={live.error} /> : <Loading what={title.toLowerCase()} />}</Page>;
  return (
    <>
      {live.error && <Failure error={live.error} />}
      {children(live.data)}
    </>
  );
}

/** A live answer inside a view that has its heading already: loading, failure, or the answer. */
export function LoadedPart<T>({ live, what, children }: { live: Live<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (live.data === undefined) return live.error ? <Failure error={live.error} /> : <Loading what={what} />;
  return (
    <>
      {live.error && <Failure error={live.error} />}
      {children(live.data)}
    </>
  );
}
