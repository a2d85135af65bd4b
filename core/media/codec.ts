// Shared pieces of the media wire codecs: strict decoding (the whole buffer, nothing after it, any
// decoder error becomes a MediaWireError) and small field readers with their limits.
import c from 'compact-encoding'

export type State = ReturnType<typeof c.state>

/** Bytes from a peer that do not follow the call or media protocol; the message is fit for a log. */
export class MediaWireError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'MediaWireError'
  }
}

export function decodeAll<T>(bytes: Uint8Array, read: (state: State) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new MediaWireError('not bytes')
  const state = c.state(0, bytes.byteLength, bytes)
  let value: T
  try {
    value = read(state)
  } catch (err) {
    if (err instanceof MediaWireError) throw err
    throw new MediaWireError(`truncated or malformed: ${(err as Error).message}`)
  }
  if (state.start !== state.end) throw new MediaWireError(`${state.end - state.start} trailing bytes`)
  return value
}

export function readEnum<T>(state: State, values: readonly T[], what: string): T {
  const index = c.uint8.decode(state)
  const value = values[index]
  if (value === undefined) throw new MediaWireError(`unknown ${what} ${index}`)
  return value
}

export function readFlag(state: State, what: string): boolean {
  const flag = c.uint8.decode(state)
  if (flag > 1) throw new MediaWireError(`${what} flag is ${flag}`)
  return flag === 1
}

export function readUint(state: State, max: number, what: string): number {
  const value = c.uint.decode(state)
  if (value > max) throw new MediaWireError(`${what} ${value} is above ${max}`)
  return value
}
