// A queue with a ceiling in items and in bytes that drops its oldest entries when full. Media is
// only worth playing while it is fresh, so when a consumer falls behind (or a peer floods) the
// oldest frames go first and memory stays bounded whatever arrives.
export class BoundedQueue<T> {
  private items: { value: T; bytes: number }[] = []
  private bytes = 0
  private droppedCount = 0

  constructor(
    private readonly maxItems: number,
    private readonly maxBytes: number
  ) {}

  get length(): number {
    return this.items.length
  }

  get size(): number {
    return this.bytes
  }

  /** Entries evicted or refused since the queue was made. */
  get dropped(): number {
    return this.droppedCount
  }

  /** False when the entry alone is larger than the byte ceiling (it is refused). */
  push(value: T, bytes: number): boolean {
    if (bytes > this.maxBytes) {
      this.droppedCount++
      return false
    }
    this.items.push({ value, bytes })
    this.bytes += bytes
    while (this.items.length > this.maxItems || this.bytes > this.maxBytes) {
      const old = this.items.shift()
      if (old === undefined) break
      this.bytes -= old.bytes
      this.droppedCount++
    }
    return true
  }

  shift(): T | undefined {
    const entry = this.items.shift()
    if (entry === undefined) return undefined
    this.bytes -= entry.bytes
    return entry.value
  }

  clear(): void {
    this.items = []
    this.bytes = 0
  }
}
