// Windowing for long lists of rows whose heights are only known once rendered: rows never seen
// count at an estimated height, so 10,000 messages cost 10,000 numbers, not 10,000 DOM nodes.

/** offsets[i] is the top of row i; offsets[n] is the total height. */
export function layout(count: number, heightOf: (index: number) => number): Float64Array {
  const offsets = new Float64Array(count + 1)
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i] + heightOf(i)
  return offsets
}

/** Index of the row containing position y (clamped to the list). */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1
  if (count <= 0) return 0
  let lo = 0
  let hi = count - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (offsets[mid] <= y) lo = mid
    else hi = mid - 1
  }
  return lo
}

export interface RowWindow {
  /** First rendered row. */
  start: number
  /** One past the last rendered row. */
  end: number
  /** Space above the first rendered row. */
  before: number
  /** Space below the last rendered row. */
  after: number
}

/** The rows to render for a viewport, plus `overscan` pixels above and below so fast scrolling shows no gaps. */
export function visibleWindow(
  offsets: Float64Array,
  scrollTop: number,
  viewportHeight: number,
  overscan: number
): RowWindow {
  const count = offsets.length - 1
  const total = offsets[count] ?? 0
  if (count <= 0) return { start: 0, end: 0, before: 0, after: 0 }
  const start = rowAt(offsets, Math.max(0, scrollTop - overscan))
  const end = Math.min(count, rowAt(offsets, scrollTop + viewportHeight + overscan) + 1)
  return { start, end, before: offsets[start], after: total - offsets[end] }
}
