import { networkInterfaces } from 'node:os'
import { CairnError } from '../api/errors'

/**
 * The IPv4 address LAN discovery runs on: the first external IPv4 address of the named interfaces
 * (in the order given), or of any interface when none are named.
 */
export function lanAddress(names?: string[]): string {
  const all = networkInterfaces()
  const candidates = names ?? Object.keys(all)
  for (const name of candidates) {
    const entry = all[name]?.find((a) => a.family === 'IPv4' && !a.internal)
    if (entry) return entry.address
  }
  const which = names ? `interfaces ${names.join(', ')}` : 'any interface'
  throw new CairnError('invalid-argument', `LAN discovery needs an IPv4 address, and ${which} has none`)
}
