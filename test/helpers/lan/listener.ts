// A stranger on the LAN that only listens: it asks for Cairn nodes over multicast DNS and captures
// every raw mDNS datagram it receives, so a test can check what the advertisements give away.
import multicastDns from 'multicast-dns'
import { createSocket } from 'node:dgram'
import { createInterface } from 'node:readline'
import { lanAddress } from '../../../core/lan/interfaces'
import { SERVICE } from '../../../core/lan/advert'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
const address = lanAddress()

const capture = createSocket({ type: 'udp4', reuseAddr: true })
capture.on('message', (msg, rinfo) => report({ type: 'datagram', from: rinfo.address, hex: msg.toString('hex') }))
capture.bind(5353, '0.0.0.0', () => {
  capture.addMembership('224.0.0.251', address)
  const mdns = multicastDns({ interface: address, bind: false })
  mdns.query([
    { name: SERVICE, type: 'PTR' },
    { name: SERVICE, type: 'ANY' },
    { name: '_services._dns-sd._udp.local', type: 'PTR' }
  ])
  report({ type: 'ready', address })
  createInterface({ input: process.stdin }).on('line', () => {
    mdns.destroy()
    capture.close(() => process.exit(0))
  })
})
