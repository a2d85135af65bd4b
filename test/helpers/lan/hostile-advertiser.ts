// A hostile host on the LAN: sends malformed mDNS datagrams and a flood of fake Cairn
// advertisements (random instances and ports, and ones that point at addresses off the LAN), then
// reports how many it sent.
import multicastDns from 'multicast-dns'
import { createSocket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { lanAddress } from '../../../core/lan/interfaces'
import { advertisementRecords } from '../../../core/lan/advert'

const FAKES = Number(process.env.CAIRN_FAKES ?? 1000)
const address = lanAddress()
const raw = createSocket('udp4')
const mdns = multicastDns({ interface: address, bind: false })

const send = (bytes: Buffer) => new Promise<void>((resolve) => raw.send(bytes, 5353, '224.0.0.251', () => resolve()))
const respond = (records: ReturnType<typeof advertisementRecords>) => new Promise<void>((resolve) => mdns.respond(records, () => resolve()))

raw.bind(0, address, async () => {
  raw.setMulticastInterface(address)
  for (let i = 0; i < 50; i++) await send(randomBytes(1 + (i * 37) % 600))
  for (let i = 0; i < FAKES; i++) {
    const instance = randomBytes(8).toString('hex')
    await respond(advertisementRecords({ instance, host: i % 2 ? '8.8.8.8' : address, port: 1024 + i, ttl: 120 }))
    // Paced so that the receivers' socket buffers hold the flood: the point is what they do with it,
    // not whether the kernel drops it. At 20 per 10 ms a receiver on a machine at load ~25 read only
    // 190-200 of the 1,000 before the test's wait ran out.
    if (i % 10 === 9) await delay(20)
  }
  process.stdout.write(JSON.stringify({ type: 'done', fakes: FAKES }) + '\n')
  mdns.destroy()
  raw.close()
})
