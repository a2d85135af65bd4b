import { describe, expect, it } from 'vitest'
import { summarizeStatus } from '../../core/net/status'

const internet = (online: boolean) => ({ online, lan: false, nodes: null })
const lan = (online: boolean, nodes: number | null) => ({ online, lan: true, nodes })

describe('network status', () => {
  it('is internet when any internet DHT is up, whatever the LAN', () => {
    expect(summarizeStatus([internet(true), lan(true, 0)], 0)).toEqual({ mode: 'internet', peers: 0 })
    expect(summarizeStatus([internet(true)], 3)).toEqual({ mode: 'internet', peers: 3 })
  })

  it('is offline with no DHT up', () => {
    expect(summarizeStatus([internet(false), lan(false, 2)], 0)).toEqual({ mode: 'offline', peers: 0 })
  })

  it('on the LAN alone, is lan only while another node is heard or a connection is open', () => {
    expect(summarizeStatus([internet(false), lan(true, 1)], 0).mode).toBe('lan')
    expect(summarizeStatus([internet(false), lan(true, 0)], 0).mode).toBe('offline')
    // Discovery may forget a node (a late advert) while the link to it lives.
    expect(summarizeStatus([internet(false), lan(true, 0)], 1).mode).toBe('lan')
  })

  it('a LAN swarm without a discovery counter is taken at its DHT word', () => {
    expect(summarizeStatus([internet(false), lan(true, null)], 0).mode).toBe('lan')
  })
})
