import { CairnError } from '../api/errors'

export interface BootstrapNode {
  host: string
  port: number
}

/**
 * Parses "host:port[,host:port…]" (from --bootstrap or CAIRN_BOOTSTRAP). An IPv6 host is written in
 * brackets, "[::1]:49737". Returns undefined for an absent value, meaning the public HyperDHT bootstrap.
 */
export function parseBootstrap(text: string | undefined): BootstrapNode[] | undefined {
  if (text === undefined || text.trim() === '') return undefined
  return text.split(',').map((part) => {
    const entry = part.trim()
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry)
    const port = match ? Number(match[3]) : NaN
    if (!match || port < 1 || port > 65535) {
      throw new CairnError('invalid-argument', `bootstrap node "${entry}" is not host:port (port 1-65535)`)
    }
    return { host: match[1] ?? match[2], port }
  })
}
