// How far the contact has fetched each file I sent: my blob store's core reports every block it
// uploads, and a file's progress is the bytes of its chunks that went out at least once, with a
// speed and a time left, reported at a bounded rate. Whoever replicates my store counts (the
// contact, or their home node keeping it for them). Only files sent in this run are followed.
import type Hypercore from 'hypercore'
import { plainChunkLength } from './chunks'
import type { FileDescriptor } from './descriptor'
import { Meter } from './transfers'

export interface DeliveryUpdate {
  /** The file id, hex. */
  file: string
  bytes: number
  size: number
  bytesPerSecond: number
  secondsLeft: number | null
  done: boolean
}

interface Watched {
  d: FileDescriptor
  sent: Set<number>
  bytes: number
  meter: Meter
  last: number
}

export class Deliveries {
  private readonly watched = new Map<string, Watched>()
  private readonly onUpload = (index: number): void => this.uploaded(index)

  constructor(
    private readonly core: Hypercore,
    private readonly report: (u: DeliveryUpdate) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now()
  ) {}

  watch(d: FileDescriptor): void {
    if (this.watched.size === 0) this.core.on('upload', this.onUpload)
    this.watched.set(d.fileId.toString('hex'), { d, sent: new Set(), bytes: 0, meter: new Meter(), last: -Infinity })
  }

  forget(file: string): void {
    this.watched.delete(file)
    if (this.watched.size === 0) this.core.off('upload', this.onUpload)
  }

  close(): void {
    for (const file of [...this.watched.keys()]) this.forget(file)
  }

  private uploaded(index: number): void {
    for (const [file, w] of this.watched) {
      const i = index - w.d.blob.blockOffset
      if (i < 0 || i >= w.d.blob.blockLength) continue
      if (w.sent.has(i)) return
      w.sent.add(i)
      w.bytes += plainChunkLength(i, w.d.size, w.d.chunkBytes)
      const at = this.now()
      const speed = w.meter.add(at, w.bytes)
      const done = w.sent.size === w.d.blob.blockLength
      if (!done && at - w.last < this.intervalMs) return
      w.last = at
      const secondsLeft = done ? 0 : speed > 0 ? (w.d.size - w.bytes) / speed : null
      this.report({ file, bytes: w.bytes, size: w.d.size, bytesPerSecond: speed, secondsLeft, done })
      if (done) this.forget(file)
      return
    }
  }
}
