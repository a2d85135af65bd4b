// Talking to a home node from a device, a contact or a stranger: one Noise stream dialled straight
// to the box key (no topic is looked up or announced for it), the `cairn/home` channel on it, and
// the cores this side replicates there. What the box lets each caller do is its own decision.
import HyperDHT, { type HostPort, type KeyPair, type NoiseSecretStream } from 'hyperdht'
import type Hypercore from 'hypercore'
import { HomeError } from './errors'
import { pairingProof, type PairingCode } from './pairing-code'
import { HomeChannel } from './rpc-channel'
import type { HomeReply, HomeRequest, ProfileStatus, SealedItem } from './wire'

export interface ClientOptions {
  keyPair: KeyPair
  /** A DHT to dial through; otherwise one is made from `bootstrap` and destroyed on close. */
  dht?: HyperDHT
  bootstrap?: HostPort[]
  timeoutMs?: number
}

const CONNECT_TIMEOUT_MS = 20_000

function bindHost(bootstrap: HostPort[] | undefined): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  return bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost') ? '127.0.0.1' : undefined
}

export class HomeClient {
  private readonly replicated = new WeakSet<Hypercore>()

  private constructor(
    readonly boxKey: Buffer,
    readonly stream: NoiseSecretStream,
    private readonly channel: HomeChannel,
    private readonly ownDht: HyperDHT | null
  ) {}

  /** Throws HomeError('unavailable') when the box cannot be reached or refuses the handshake. */
  static async connect(boxKey: Buffer, opts: ClientOptions): Promise<HomeClient> {
    const ownDht = opts.dht === undefined ? new HyperDHT({ bootstrap: opts.bootstrap, host: bindHost(opts.bootstrap) }) : null
    const dht = opts.dht ?? ownDht!
    const stream = dht.connect(boxKey, { keyPair: opts.keyPair })
    stream.on('error', () => undefined)
    try {
      await opened(stream, opts.timeoutMs ?? CONNECT_TIMEOUT_MS)
      const channel = new HomeChannel(stream, null)
      if (!(await channel.opened)) throw new HomeError('unavailable', 'the home node did not open its channel')
      return new HomeClient(boxKey, stream, channel, ownDht)
    } catch (err) {
      stream.destroy()
      await ownDht?.destroy()
      throw err
    }
  }

  async pair(code: PairingCode): Promise<Extract<HomeReply, { op: 'paired' }>> {
    if (!code.boxKey.equals(this.boxKey)) throw new HomeError('bad-pairing-code', 'the pairing code is for another home node')
    const proof = pairingProof(code.secret, this.boxKey, this.stream.publicKey)
    return expect(await this.channel.request({ op: 'pair', codeId: code.codeId, proof }), 'paired')
  }

  async keep(core: Hypercore): Promise<void> {
    this.replicate(core)
    await this.done({ op: 'keep', logKey: core.key! })
    await this.done({ op: 'want', logKey: core.key! })
  }

  /** Replicates a core the box keeps (and this caller may see) over this connection. */
  async want(core: Hypercore): Promise<void> {
    this.replicate(core)
    await this.done({ op: 'want', logKey: core.key! })
  }

  grant(guest: Buffer, logs: Buffer[]): Promise<void> {
    return this.done({ op: 'grant', guest, logs })
  }

  ungrant(guest: Buffer): Promise<void> {
    return this.done({ op: 'ungrant', guest })
  }

  publish(inbox: Buffer, bundle: Buffer, oneTime: Buffer[]): Promise<void> {
    return this.done({ op: 'publish', inbox, bundle, oneTime })
  }

  /** Adds one-time prekeys to my published bundle's supply; returns how many the box holds now. */
  async supply(oneTime: Buffer[]): Promise<number> {
    return expect(await this.channel.request({ op: 'supply', oneTime }), 'supplied').held
  }

  ack(logKey: Buffer, upTo: number): Promise<void> {
    return this.done({ op: 'ack', logKey, upTo })
  }

  async requests(forgetUpTo: number): Promise<SealedItem[]> {
    return expect(await this.channel.request({ op: 'requests', forgetUpTo }), 'requests').items
  }

  async status(): Promise<ProfileStatus> {
    const { op: _op, ...status } = expect(await this.channel.request({ op: 'status' }), 'status')
    return status
  }

  unlink(): Promise<void> {
    return this.done({ op: 'unlink' })
  }

  async bundle(inbox: Buffer): Promise<{ bundle: Buffer; oneTime: Buffer | null }> {
    const { bundle, oneTime } = expect(await this.channel.request({ op: 'bundle', inbox }), 'bundle')
    return { bundle, oneTime }
  }

  deposit(inbox: Buffer, sealed: Buffer): Promise<void> {
    return this.done({ op: 'deposit', inbox, sealed })
  }

  /** Sends a request as-is (for tests of what the box refuses). */
  raw(request: HomeRequest): Promise<HomeReply> {
    return this.channel.request(request)
  }

  async close(): Promise<void> {
    this.channel.close()
    this.stream.destroy()
    await this.ownDht?.destroy()
  }

  private replicate(core: Hypercore): void {
    if (this.replicated.has(core)) return
    this.replicated.add(core)
    core.replicate(this.stream)
  }

  private async done(request: HomeRequest): Promise<void> {
    expect(await this.channel.request(request), 'done')
  }
}

function expect<K extends HomeReply['op']>(reply: HomeReply, op: K): Extract<HomeReply, { op: K }> {
  if (reply.op !== op) throw new HomeError('malformed', `the home node answered ${reply.op} where ${op} was expected`)
  return reply as Extract<HomeReply, { op: K }>
}

function opened(stream: NoiseSecretStream, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new HomeError('unavailable', 'the home node did not answer in time')), timeoutMs)
    const fail = (err: Error) => {
      clearTimeout(timer)
      stream.off('close', onClose)
      reject(err instanceof HomeError ? err : new HomeError('unavailable', `the home node refused the connection: ${err.message}`))
    }
    const onClose = () => fail(new HomeError('unavailable', 'the home node closed the connection'))
    stream.once('close', onClose)
    stream.opened.then(
      (ok) => {
        clearTimeout(timer)
        stream.off('close', onClose)
        if (ok) resolve()
        else reject(new HomeError('unavailable', 'the home node refused the connection'))
      },
      (err: Error) => fail(err)
    )
  })
}
