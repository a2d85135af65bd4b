import type { Answer, Packet } from 'multicast-dns'
import { isIPv4 } from 'node:net'
import { LAN_SERVICE as SERVICE } from '../protocol/caps'

export { SERVICE }

/**
 * What one node tells the link: a random instance name that changes every start, and where its
 * LAN DHT node listens. Nothing here may identify the user (no key, no name, no topic): the
 * only thing a listener learns is that a Cairn node exists at this address.
 */
export interface Advertisement {
  instance: string
  host: string
  port: number
  /** Seconds the sender vouches for this; 0 says goodbye. */
  ttl: number
}

const INSTANCE_LABEL = /^[0-9a-f]{16}$/

export function advertisementRecords(ad: Advertisement): Answer[] {
  const fqdn = `${ad.instance}.${SERVICE}`
  const target = `${ad.instance}.local`
  return [
    { name: SERVICE, type: 'PTR', ttl: ad.ttl, data: fqdn },
    { name: fqdn, type: 'SRV', ttl: ad.ttl, flush: true, data: { port: ad.port, target } },
    { name: target, type: 'A', ttl: ad.ttl, flush: true, data: ad.host }
  ]
}

export function asksForService(packet: Packet): boolean {
  return packet.questions.some(
    (q) => q.name.toLowerCase() === SERVICE && (q.type === 'PTR' || q.type === 'ANY')
  )
}

/**
 * Reads the Cairn advertisements out of a response. The address is the packet's source, never
 * the A record: a hostile advertiser must not be able to make us dial anything but itself.
 */
export function parseAdvertisements(packet: Packet, source: string): Advertisement[] {
  if (!isIPv4(source)) return []
  const records = [...packet.answers, ...packet.additionals]
  const found: Advertisement[] = []
  for (const ptr of records) {
    if (ptr.type !== 'PTR' || ptr.name.toLowerCase() !== SERVICE || typeof ptr.data !== 'string') continue
    const fqdn = ptr.data.toLowerCase()
    const instance = fqdn.endsWith(`.${SERVICE}`) ? fqdn.slice(0, -SERVICE.length - 1) : ''
    if (!INSTANCE_LABEL.test(instance)) continue
    const srv = records.find((r) => r.type === 'SRV' && r.name.toLowerCase() === fqdn)
    const port = srvPort(srv?.data)
    if (port === null) continue
    found.push({ instance, host: source, port, ttl: Math.min(ttlOf(ptr), ttlOf(srv)) })
  }
  return found
}

function srvPort(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null
  const port = (data as { port?: unknown }).port
  return Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536 ? (port as number) : null
}

function ttlOf(record: Answer | undefined): number {
  const ttl = record?.ttl
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 0 ? ttl : 0
}
