// Byte-level helpers shared by the home node's wire frames and storage records: a writer that
// concatenates compact-encoding values, and a strict reader whose every failure is a HomeError
// ('malformed') naming the field, with lengths capped before anything is copied.
import c from 'compact-encoding'
import { HomeError } from './errors'

export class Writer {
  private readonly parts: Buffer[] = []

  uint8(n: number): this {
    this.parts.push(Buffer.from([n]))
    return this
  }

  uint(n: number): this {
    this.parts.push(Buffer.from(c.encode(c.uint, n)))
    return this
  }

  fixed(bytes: Uint8Array, size: number, what: string): this {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== size) throw new HomeError('malformed', `${what} must be ${size} bytes`)
    this.parts.push(Buffer.from(bytes))
    return this
  }

  bytes(bytes: Uint8Array, max: number, what: string): this {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength > max) throw new HomeError('malformed', `${what} must be at most ${max} bytes`)
    this.parts.push(Buffer.from(c.encode(c.buffer, bytes)))
    return this
  }

  string(text: string, maxBytes: number, what: string): this {
    return this.bytes(Buffer.from(text, 'utf8'), maxBytes, what)
  }

  list<T>(items: T[], max: number, what: string, each: (item: T) => void): this {
    if (!Array.isArray(items) || items.length > max) throw new HomeError('malformed', `${what} holds at most ${max} entries`)
    this.uint(items.length)
    for (const item of items) each(item)
    return this
  }

  done(): Buffer {
    return Buffer.concat(this.parts)
  }
}

type State = ReturnType<typeof c.state>
const utf8 = new TextDecoder('utf-8', { fatal: true })

export class Reader {
  private readonly state: State
  private readonly input: Uint8Array

  constructor(
    bytes: Uint8Array,
    maxBytes: number,
    private readonly what: string
  ) {
    if (!(bytes instanceof Uint8Array)) throw new HomeError('malformed', `${what} is not bytes`)
    if (bytes.byteLength > maxBytes) throw new HomeError('malformed', `${what} is ${bytes.byteLength} bytes, at most ${maxBytes}`)
    this.input = bytes
    this.state = c.state(0, bytes.byteLength, bytes)
  }

  private guard<T>(field: string, read: () => T): T {
    try {
      return read()
    } catch (err) {
      if (err instanceof HomeError) throw err
      throw new HomeError('malformed', `${this.what}: ${field} is truncated`)
    }
  }

  uint8(field: string): number {
    return this.guard(field, () => c.uint8.decode(this.state))
  }

  uint(field: string): number {
    return this.guard(field, () => c.uint.decode(this.state))
  }

  fixed(size: number, field: string): Buffer {
    return this.guard(field, () => {
      if (this.state.end - this.state.start < size) throw new Error('short')
      const out = Buffer.from(this.input.subarray(this.state.start, this.state.start + size))
      this.state.start += size
      return out
    })
  }

  bytes(max: number, field: string): Buffer {
    const length = this.uint(`${field} length`)
    if (length > max) throw new HomeError('malformed', `${this.what}: ${field} is ${length} bytes, at most ${max}`)
    return this.fixed(length, field)
  }

  string(maxBytes: number, field: string): string {
    const bytes = this.bytes(maxBytes, field)
    try {
      return utf8.decode(bytes)
    } catch {
      throw new HomeError('malformed', `${this.what}: ${field} is not valid UTF-8`)
    }
  }

  list<T>(max: number, field: string, each: () => T): T[] {
    const count = this.uint(`${field} count`)
    if (count > max) throw new HomeError('malformed', `${this.what}: ${field} holds ${count} entries, at most ${max}`)
    const out: T[] = []
    for (let i = 0; i < count; i++) out.push(each())
    return out
  }

  bool(field: string): boolean {
    const flag = this.uint8(field)
    if (flag > 1) throw new HomeError('malformed', `${this.what}: ${field} flag is ${flag}`)
    return flag === 1
  }

  /** The whole input must have been read: trailing bytes are refused, never ignored. */
  end(): void {
    const left = this.state.end - this.state.start
    if (left !== 0) throw new HomeError('malformed', `${this.what}: ${left} trailing bytes`)
  }
}
