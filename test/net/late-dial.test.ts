// A swarm closed while one of its dials is still under way (the remote's handshake answer not yet
// in): Hyperswarm's destroy does not cancel dials, and the swarms share their DHT through a view
// whose destroy does nothing, so the dial could finish after the close and hand over a connection
// that nothing would ever close. The remote here is a bare HyperDHT server whose firewall takes
// its time to answer, so the dial is sure to be under way when the swarm closes.
import HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { PairSwarm } from '../../core/net/pair-swarm'

const ANSWER_MS = 800
let testnet: LocalTestnet
const dhts: HyperDHT[] = []

beforeEach(async () => {
  testnet = await createLocalTestnet(3)
})

afterEach(async () => {
  for (const dht of dhts.splice(0)) await dht.destroy()
  await testnet.destroy()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A bare server on the testnet that admits everyone, ANSWER_MS after being asked; what it accepted. */
async function slowRemote(): Promise<{ key: Buffer; accepted: NoiseSecretStream[]; close: () => Promise<void> }> {
  const remote = new HyperDHT({ bootstrap: testnet.bootstrap })
  dhts.push(remote)
  const keyPair = HyperDHT.keyPair()
  const accepted: NoiseSecretStream[] = []
  const server = remote.createServer({ firewall: () => sleep(ANSWER_MS).then(() => false) }, (stream) => {
    stream.on('error', () => {})
    accepted.push(stream)
  })
  await server.listen(keyPair)
  return { key: keyPair.publicKey, accepted, close: () => server.close() }
}

const open = (streams: NoiseSecretStream[]) => streams.filter((stream) => !stream.destroyed)

it('a pair swarm closed during a dial leaves no connection open on either side', async () => {
  const remote = await slowRemote()
  const local = new HyperDHT({ bootstrap: testnet.bootstrap })
  dhts.push(local)
  const handed: NoiseSecretStream[] = []
  const pair = new PairSwarm({ dht: local, keyPair: HyperDHT.keyPair(), admits: () => true, onConnection: (stream) => handed.push(stream) })
  pair.swarm.joinPeer(remote.key)
  await sleep(ANSWER_MS / 4)
  await pair.close()
  await sleep(3 * ANSWER_MS)
  expect(handed).toEqual([])
  expect(open(remote.accepted)).toEqual([])
  await remote.close()
})

