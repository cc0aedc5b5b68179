import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from "@tanstack/virtual-core";
import { Component, type ComponentChildren } from "preact";
import { useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";

export interface Column<T> {
  id: string;
  header: ComponentChildren;
  /** A CSS grid track: "12rem", "1fr", "minmax(8rem, 1fr)". */
  width: string;
  cell: (row: T) => ComponentChildren;
  /** A sortable column's state and how to sort by it. */
  sort?: { direction: "ascending" | "descending" | null; onSort: () => void };
}

/** @tanstack/virtual-core driving a Preact component: it re-renders when the visible range moves. */
function useVirtualizer(count: number, rowHeight: number) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count,
        getScrollElement: () => scroller.current,
        estimateSize: () => rowHeight,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        overscan: 8,
        onChange: () => rerender(undefined),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  return { scroller, virtualizer };
}

function HeaderCell<T>({ column }: { column: Column<T> }) {
  const sort = column.sort;
  if (!sort) return <div role="columnheader">{column.header}</div>;
  const arrow = sort.direction === "ascending" ? "▲" : sort.direction === "descending" ? "▼" : "";
  return (
    <div role="columnheader" aria-sort={sort.direction ?? "none"}>
      <button type="button" class="sort" onClick={sort.onSort}>
        {column.header} <span aria-hidden="true">{arrow}</span>
      </button>
    </div>
  );
}

interface RowProps<T> {
  row: T;
  index: number;
  start: number;
  size: number;
  columns: Column<T>[];
}

/**
 * One body row, drawn again only when its row, place or columns change: scrolling re-renders the
 * table each frame, and without this every row in view (a matrix row holds 20 cells) would be
 * diffed again, not just the few that came into view.
 */
class VirtualRow<T> extends Component<RowProps<T>> {
  override shouldComponentUpdate(next: RowProps<T>): boolean {
    const now = this.props;
    return next.row !== now.row || next.index !== now.index || next.start !== now.start || next.size !== now.size || next.columns !== now.columns;
  }

  override render() {
    const { row, index, start, size, columns } = this.props;
    return (
      <div role="row" aria-rowindex={index + 2} class="vrow" style={{ height: `${size}px`, transform: `translateY(${start}px)` }}>
        {columns.map((column) => (
          <div key={column.id} role="cell">
            {column.cell(row)}
          </div>
        ))}
      </div>
    );
  }
}

/**
 * A table that renders only the rows in view (and a few more), so 10,000 rows scroll as 30 do.
 * ARIA table semantics with aria-rowcount and aria-rowindex tell assistive technology the whole
 * size; the scrolling body is focusable, so arrow keys and Page Up/Down scroll it.
 */
export function VirtualTable<T>({
  label,
  rows,
  columns,
  rowKey,
  rowHeight = 36,
}: {
  label: string;
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowHeight?: number;
}) {
  const { scroller, virtualizer } = useVirtualizer(rows.length, rowHeight);
  const template = { "--columns": columns.map((column) => column.width).join(" ") };
  return (
    <div role="table" aria-label={label} aria-rowcount={rows.length + 1} class="vtable" style={template}>
      <div role="rowgroup" class="vhead">
        <div role="row" aria-rowindex={1} class="vrow">
          {columns.map((column) => (
            <HeaderCell key={column.id} column={column} />
          ))}
        </div>
      </div>
      <div ref={scroller} role="rowgroup" class="vbody" tabIndex={0} aria-label={`${label}: ${rows.length} rows, scroll with the arrow keys`}>
        <div role="presentation" class="vspace" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return <VirtualRow key={rowKey(row)} row={row} index={item.index} start={item.start} size={item.size} columns={columns} />;
          })}
        </div>
      </div>
    </div>
  );
}
