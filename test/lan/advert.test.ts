// The advertisement format on its own: what is sent, and what is believed from what is received.
import { describe, expect, it } from 'vitest'
import type { Packet } from 'multicast-dns'
import { SERVICE, advertisementRecords, asksForService, parseAdvertisements } from '../../core/lan/advert'

const instance = '0123456789abcdef'

function response(answers: Packet['answers']): Packet {
  return { type: 'response', questions: [], answers, authorities: [], additionals: [] }
}

describe('LAN advertisement', () => {
  it('round-trips, taking the address from the packet source and not from the A record', () => {
    const records = advertisementRecords({ instance, host: '10.0.0.9', port: 4000, ttl: 15 })
    expect(parseAdvertisements(response(records), '10.0.0.5')).toEqual([{ instance, host: '10.0.0.5', port: 4000, ttl: 15 }])
  })

  it('carries only the service, a random instance label, a port and an address', () => {
    const records = advertisementRecords({ instance, host: '10.0.0.9', port: 4000, ttl: 15 })
    expect(records.map((r) => r.name)).toEqual([SERVICE, `${instance}.${SERVICE}`, `${instance}.local`])
    expect(JSON.stringify(records)).not.toMatch(/name"?:\s*"(?!_cairn|0123456789abcdef)/)
  })

  it('ignores malformed or hostile records', () => {
    const good = advertisementRecords({ instance, host: '10.0.0.9', port: 4000, ttl: 15 })
    const srv = good[1]
    const cases: Packet['answers'][] = [
      [good[0]],
      [good[0], { ...srv, data: { port: 0, target: 'x.local' } }],
      [good[0], { ...srv, data: { port: 70000, target: 'x.local' } }],
      [good[0], { ...srv, data: { port: '4000', target: 'x.local' } }],
      [good[0], { ...srv, data: null }],
      [{ ...good[0], data: `../../etc.${SERVICE}` }, srv],
      [{ ...good[0], data: 42 }, srv],
      [{ ...good[0], data: 'someone-else._other._udp.local' }, srv]
    ]
    for (const answers of cases) expect(parseAdvertisements(response(answers), '10.0.0.5')).toEqual([])
    expect(parseAdvertisements(response(good), 'fe80::1')).toEqual([])
  })

  it('reads a goodbye (TTL 0) and a missing TTL as zero', () => {
    const bye = advertisementRecords({ instance, host: '10.0.0.9', port: 4000, ttl: 0 })
    expect(parseAdvertisements(response(bye), '10.0.0.5')[0].ttl).toBe(0)
    const noTtl = bye.map(({ ttl: _ttl, ...rest }) => rest)
    expect(parseAdvertisements(response(noTtl), '10.0.0.5')[0].ttl).toBe(0)
  })

  it('answers only questions about the Cairn service', () => {
    const query = (name: string, type: string): Packet => ({ type: 'query', questions: [{ name, type }], answers: [], authorities: [], additionals: [] })
    expect(asksForService(query(SERVICE, 'PTR'))).toBe(true)
    expect(asksForService(query(SERVICE.toUpperCase(), 'ANY'))).toBe(true)
    expect(asksForService(query('_http._tcp.local', 'PTR'))).toBe(false)
    expect(asksForService(query(SERVICE, 'A'))).toBe(false)
  })
})
