// Ratchet throughput: Cairn's Double Ratchet against Signal's native library and the pure-TypeScript
// one, and against a floor of the bare libsodium calls one message needs. Both parties live in this
// process; one message = encrypt + decrypt, each followed by the session-state serialisation a real
// node performs before it acknowledges the message. 200-byte messages. Figures are per CPU second.
//
//   npx tsx bench/ratchet.bench.ts [--quick]      (--quick: a tenth of the messages, for a smoke run)
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as Signal from '@signalapp/libsignal-client'
import * as SignalTs from '@privacyresearch/libsignal-protocol-typescript'
import sodiumNative from 'sodium-native'
import { cryptoReady, useCryptoBackend, type BackendName } from '../core/crypto'
import { generateIdentity } from '../core/identity'
import { Session, bundleOf, generateSignedPrekey } from '../core/ratchet'

const quick = process.argv.includes('--quick')
const ONE_WAY = quick ? 1_000 : 10_000
const PING_PONG = quick ? 200 : 2_000
const WARMUP = quick ? 50 : 300
const TRIALS = 5
const MESSAGE = Buffer.alloc(200, 0x61)

type Pattern = 'oneWay' | 'pingPong'

interface Harness {
  /** Sends one message from `fromAlice`'s side and decrypts it on the other, serialising both states. */
  message(fromAlice: boolean): Promise<void> | void
}

interface Result {
  messages: number
  cpuSeconds: number
  wallSeconds: number
  msgsPerSec: number
  usPerMsg: number
}

// The machine is shared, so each figure is the best of a few trials, and the trials of the fast
// implementations are interleaved (one round runs each once): a burst of load from elsewhere then
// weighs on all of them alike rather than on whichever happened to be running.
async function warm(make: () => Promise<Harness> | Harness, pattern: Pattern): Promise<void> {
  const h = await make()
  for (let i = 0; i < WARMUP; i++) await h.message(pattern === 'oneWay' || i % 2 === 0)
}

// Rates are per second of this process's CPU time (user + system, all threads), which other
// engineers' jobs on the shared cores inflate far less than wall-clock time; wall time is recorded too.
interface Timing {
  cpu: number
  wall: number
}

async function trial(make: () => Promise<Harness> | Harness, pattern: Pattern, messages: number): Promise<Timing> {
  const h = await make()
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < messages; i++) await h.message(pattern === 'oneWay' || i % 2 === 0)
  const cpu = process.cpuUsage(cpuStart)
  return { cpu: (cpu.user + cpu.system) / 1e6, wall: (performance.now() - wallStart) / 1000 }
}

function result(messages: number, t: Timing): Result {
  return {
    messages,
    cpuSeconds: t.cpu,
    wallSeconds: t.wall,
    msgsPerSec: messages / t.cpu,
    usPerMsg: (t.cpu * 1e6) / messages
  }
}

// --- Cairn --------------------------------------------------------------------------------------

function cairn(): Harness {
  const alice = generateIdentity()
  const bob = generateIdentity()
  const prekey = generateSignedPrekey(bob, 1)
  const a = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey))
  const b = Session.respond(bob, alice.publicKey, a.encrypt(MESSAGE), () => prekey).session
  a.decrypt(b.encrypt(MESSAGE))
  let sink = 0
  return {
    message(fromAlice) {
      const [from, to] = fromAlice ? [a, b] : [b, a]
      const envelope = from.encrypt(MESSAGE)
      sink += from.encode().byteLength
      const plaintext = to.decrypt(envelope)
      sink += to.encode().byteLength
      if (plaintext.byteLength !== MESSAGE.byteLength || sink < 0) throw new Error('cairn: wrong plaintext')
    }
  }
}

// --- Signal, native (@signalapp/libsignal-client) ---------------------------------------------------

class SignalSessions extends Signal.SessionStore {
  // Records stay in memory as objects; every save also serialises, as a node persisting state would.
  private records = new Map<string, Signal.SessionRecord>()
  persisted = 0
  async saveSession(name: Signal.ProtocolAddress, record: Signal.SessionRecord): Promise<void> {
    this.persisted += record.serialize().byteLength
    this.records.set(name.toString(), record)
  }
  async getSession(name: Signal.ProtocolAddress): Promise<Signal.SessionRecord | null> {
    return this.records.get(name.toString()) ?? null
  }
  async getExistingSessions(addresses: Signal.ProtocolAddress[]): Promise<Signal.SessionRecord[]> {
    return addresses.map((a) => this.records.get(a.toString())!).filter(Boolean)
  }
}

class SignalIdentities extends Signal.IdentityKeyStore {
  private known = new Map<string, Signal.PublicKey>()
  constructor(
    private readonly pair: Signal.IdentityKeyPair,
    private readonly registrationId: number
  ) {
    super()
  }
  async getIdentityKey(): Promise<Signal.PrivateKey> {
    return this.pair.privateKey
  }
  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId
  }
  async saveIdentity(name: Signal.ProtocolAddress, key: Signal.PublicKey): Promise<Signal.IdentityChange> {
    this.known.set(name.toString(), key)
    return Signal.IdentityChange.NewOrUnchanged
  }
  async isTrustedIdentity(): Promise<boolean> {
    return true
  }
  async getIdentity(name: Signal.ProtocolAddress): Promise<Signal.PublicKey | null> {
    return this.known.get(name.toString()) ?? null
  }
}

class SignalPrekeys extends Signal.PreKeyStore {
  async savePreKey(): Promise<void> {}
  async getPreKey(): Promise<Signal.PreKeyRecord> {
    throw new Error('no one-time prekeys in this benchmark')
  }
  async removePreKey(): Promise<void> {}
}

class SignalSignedPrekeys extends Signal.SignedPreKeyStore {
  constructor(private readonly record: Signal.SignedPreKeyRecord) {
    super()
  }
  async saveSignedPreKey(): Promise<void> {}
  async getSignedPreKey(): Promise<Signal.SignedPreKeyRecord> {
    return this.record
  }
}

class SignalKyberPrekeys extends Signal.KyberPreKeyStore {
  constructor(private readonly record: Signal.KyberPreKeyRecord) {
    super()
  }
  async saveKyberPreKey(): Promise<void> {}
  async getKyberPreKey(): Promise<Signal.KyberPreKeyRecord> {
    return this.record
  }
  async markKyberPreKeyUsed(): Promise<void> {}
}

async function signalNative(): Promise<Harness> {
  const aliceAddress = Signal.ProtocolAddress.new('alice', 1)
  const bobAddress = Signal.ProtocolAddress.new('bob', 1)
  const aliceIdentity = Signal.IdentityKeyPair.generate()
  const bobIdentity = Signal.IdentityKeyPair.generate()
  const aliceSessions = new SignalSessions()
  const bobSessions = new SignalSessions()
  const aliceIds = new SignalIdentities(aliceIdentity, 1)
  const bobIds = new SignalIdentities(bobIdentity, 2)
  const signedPrekey = Signal.PrivateKey.generate()
  const signedPrekeySignature = bobIdentity.privateKey.sign(signedPrekey.getPublicKey().serialize())
  const kyber = Signal.KEMKeyPair.generate()
  const kyberSignature = bobIdentity.privateKey.sign(kyber.getPublicKey().serialize())
  const bundle = Signal.PreKeyBundle.new(
    2, 1, null, null, 1, signedPrekey.getPublicKey(), signedPrekeySignature, bobIdentity.publicKey, 1, kyber.getPublicKey(), kyberSignature
  )
  const signedStore = new SignalSignedPrekeys(
    Signal.SignedPreKeyRecord.new(1, Date.now(), signedPrekey.getPublicKey(), signedPrekey, signedPrekeySignature)
  )
  const kyberStore = new SignalKyberPrekeys(Signal.KyberPreKeyRecord.new(1, Date.now(), kyber, kyberSignature))
  await Signal.processPreKeyBundle(bundle, bobAddress, aliceAddress, aliceSessions, aliceIds)

  const first = await Signal.signalEncrypt(MESSAGE, bobAddress, aliceAddress, aliceSessions, aliceIds)
  await Signal.signalDecryptPreKey(
    Signal.PreKeySignalMessage.deserialize(first.serialize()),
    aliceAddress, bobAddress, bobSessions, bobIds, new SignalPrekeys(), signedStore, kyberStore
  )
  const reply = await Signal.signalEncrypt(MESSAGE, aliceAddress, bobAddress, bobSessions, bobIds)
  await Signal.signalDecrypt(Signal.SignalMessage.deserialize(reply.serialize()), bobAddress, aliceAddress, aliceSessions, aliceIds)

  return {
    async message(fromAlice) {
      const [from, fromSessions, fromIds, to, toSessions, toIds] = fromAlice
        ? [aliceAddress, aliceSessions, aliceIds, bobAddress, bobSessions, bobIds]
        : [bobAddress, bobSessions, bobIds, aliceAddress, aliceSessions, aliceIds]
      const sent = await Signal.signalEncrypt(MESSAGE, to, from, fromSessions, fromIds)
      const plaintext = await Signal.signalDecrypt(Signal.SignalMessage.deserialize(sent.serialize()), from, to, toSessions, toIds)
      if (plaintext.byteLength !== MESSAGE.byteLength) throw new Error('signal: wrong plaintext')
    }
  }
}

// --- Signal, pure TypeScript (@privacyresearch/libsignal-protocol-typescript) ------------------------

class SignalTsStore implements SignalTs.StorageType {
  private sessions = new Map<string, string>()
  private identities = new Map<string, ArrayBuffer>()
  constructor(
    private readonly identity: SignalTs.KeyPairType,
    private readonly registrationId: number,
    private readonly signedPrekey: SignalTs.KeyPairType | undefined
  ) {}
  getIdentityKeyPair = async () => this.identity
  getLocalRegistrationId = async () => this.registrationId
  isTrustedIdentity = async () => true
  saveIdentity = async (address: string, key: ArrayBuffer) => {
    this.identities.set(address, key)
    return false
  }
  loadPreKey = async () => undefined
  storePreKey = async () => {}
  removePreKey = async () => {}
  // The library hands over each session already serialised (a JSON string), once per message.
  storeSession = async (address: string, record: string) => {
    this.sessions.set(address, record)
  }
  loadSession = async (address: string) => this.sessions.get(address)
  loadSignedPreKey = async () => this.signedPrekey
  storeSignedPreKey = async () => {}
  removeSignedPreKey = async () => {}
}

async function signalTs(): Promise<Harness> {
  const aliceAddress = new SignalTs.SignalProtocolAddress('alice', 1)
  const bobAddress = new SignalTs.SignalProtocolAddress('bob', 1)
  const aliceIdentity = await SignalTs.KeyHelper.generateIdentityKeyPair()
  const bobIdentity = await SignalTs.KeyHelper.generateIdentityKeyPair()
  const signed = await SignalTs.KeyHelper.generateSignedPreKey(bobIdentity, 1)
  const aliceStore = new SignalTsStore(aliceIdentity, 1, undefined)
  const bobStore = new SignalTsStore(bobIdentity, 2, signed.keyPair)
  await new SignalTs.SessionBuilder(aliceStore, bobAddress).processPreKey({
    identityKey: bobIdentity.pubKey,
    registrationId: 2,
    signedPreKey: { keyId: 1, publicKey: signed.keyPair.pubKey, signature: signed.signature }
  })
  const aliceCipher = new SignalTs.SessionCipher(aliceStore, bobAddress)
  const bobCipher = new SignalTs.SessionCipher(bobStore, aliceAddress)
  const body = MESSAGE.buffer.slice(MESSAGE.byteOffset, MESSAGE.byteOffset + MESSAGE.byteLength) as ArrayBuffer
  const first = await aliceCipher.encrypt(body)
  await bobCipher.decryptPreKeyWhisperMessage(first.body!, 'binary')
  const reply = await bobCipher.encrypt(body)
  await aliceCipher.decryptWhisperMessage(reply.body!, 'binary')
  return {
    async message(fromAlice) {
      const [from, to] = fromAlice ? [aliceCipher, bobCipher] : [bobCipher, aliceCipher]
      const sent = await from.encrypt(body)
      const plaintext = await to.decryptWhisperMessage(sent.body!, 'binary')
      if (plaintext.byteLength !== MESSAGE.byteLength) throw new Error('signal-ts: wrong plaintext')
    }
  }
}

// --- Floor: the bare libsodium calls one Cairn message needs -------------------------------------
// Sender: two keyed BLAKE2b (KDF_CK), 24 random nonce bytes, one XChaCha20-Poly1305 seal.
// Receiver: two keyed BLAKE2b, one open. Ping-pong adds the receiver's DH ratchet step: a new key
// pair (32 random bytes + scalarmult_base), two X25519, two KDF_RK of 3 HMAC-SHA256 = 12 SHA-256.

type Sodium = typeof import('libsodium-wrappers-sumo')

function floorNative(): Harness {
  const s = sodiumNative
  const ck = Buffer.alloc(32, 1)
  const mk = Buffer.alloc(32)
  const next = Buffer.alloc(32)
  const nonce = Buffer.alloc(24)
  const ad = Buffer.alloc(64 + 90)
  const ct = Buffer.alloc(MESSAGE.byteLength + 16)
  const pt = Buffer.alloc(MESSAGE.byteLength)
  const one = Buffer.from([1])
  const two = Buffer.from([2])
  const secret = Buffer.alloc(32)
  const pub = Buffer.alloc(32)
  const peer = Buffer.alloc(32)
  const shared = Buffer.alloc(32)
  const hash = Buffer.alloc(32)
  const block = Buffer.alloc(96)
  s.randombytes_buf(peer)
  s.crypto_scalarmult_base(peer, peer)
  return {
    message() {
      s.crypto_generichash(mk, one, ck)
      s.crypto_generichash(next, two, ck)
      s.randombytes_buf(nonce)
      s.crypto_aead_xchacha20poly1305_ietf_encrypt(ct, MESSAGE, ad, null, nonce, mk)
      if (ratchetEveryMessage) {
        s.randombytes_buf(secret)
        s.crypto_scalarmult_base(pub, secret)
        for (let i = 0; i < 2; i++) {
          s.crypto_scalarmult(shared, secret, peer)
          for (let j = 0; j < 6; j++) s.crypto_hash_sha256(hash, block)
        }
      }
      s.crypto_generichash(mk, one, ck)
      s.crypto_generichash(next, two, ck)
      s.crypto_aead_xchacha20poly1305_ietf_decrypt(pt, null, ct, ad, nonce, mk)
    }
  }
}

function floorWasm(s: Sodium): Harness {
  const ck = Buffer.alloc(32, 1)
  const ad = Buffer.alloc(64 + 90)
  const one = Buffer.from([1])
  const two = Buffer.from([2])
  const block = Buffer.alloc(96)
  const peer = s.crypto_scalarmult_base(s.randombytes_buf(32))
  return {
    message() {
      let mk = s.crypto_generichash(32, one, ck)
      s.crypto_generichash(32, two, ck)
      const nonce = s.randombytes_buf(24)
      const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(MESSAGE, ad, null, nonce, mk)
      if (ratchetEveryMessage) {
        const secret = s.randombytes_buf(32)
        s.crypto_scalarmult_base(secret)
        for (let i = 0; i < 2; i++) {
          s.crypto_scalarmult(secret, peer)
          for (let j = 0; j < 6; j++) s.crypto_hash_sha256(block)
        }
      }
      mk = s.crypto_generichash(32, one, ck)
      s.crypto_generichash(32, two, ck)
      s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, ad, nonce, mk)
    }
  }
}

let ratchetEveryMessage = false

async function loadWasm(): Promise<Sodium> {
  const mod = (await import('libsodium-wrappers-sumo')) as Sodium & { default?: Sodium }
  const s = mod.default ?? mod
  await s.ready
  return s
}

// --- Run ----------------------------------------------------------------------------------------

async function withBackend<T>(name: BackendName, fn: () => Promise<T>): Promise<T> {
  useCryptoBackend(name)
  await cryptoReady()
  try {
    return await fn()
  } finally {
    useCryptoBackend('native')
  }
}

const names = {
  cairnNative: 'Cairn (sodium-native)',
  cairnWasm: 'Cairn (libsodium wasm)',
  signalNative: 'Signal libsignal-client (native)',
  signalTs: 'libsignal-protocol-typescript',
  floorNative: 'floor: bare sodium-native calls',
  floorWasm: 'floor: bare libsodium wasm calls'
} as const
type Impl = keyof typeof names

async function runPattern(pattern: Pattern, messages: number, wasm: Sodium): Promise<Record<Impl, Result>> {
  ratchetEveryMessage = pattern === 'pingPong'
  const fast: Record<Exclude<Impl, 'signalTs'>, { backend: BackendName; make: () => Promise<Harness> | Harness }> = {
    floorNative: { backend: 'native', make: floorNative },
    floorWasm: { backend: 'native', make: () => floorWasm(wasm) },
    cairnNative: { backend: 'native', make: cairn },
    cairnWasm: { backend: 'wasm', make: cairn },
    signalNative: { backend: 'native', make: signalNative }
  }
  const best: Partial<Record<Impl, Timing>> = {}
  for (const { backend, make } of Object.values(fast)) await withBackend(backend, () => warm(make, pattern))
  for (let t = 0; t < TRIALS; t++) {
    for (const [impl, { backend, make }] of Object.entries(fast) as [Impl, (typeof fast)[keyof typeof fast]][]) {
      const timing = await withBackend(backend, () => trial(make, pattern, messages))
      if (!best[impl] || timing.cpu < best[impl].cpu) best[impl] = timing
    }
  }
  // The slow TypeScript reference runs once and last: its garbage would otherwise weigh on the others.
  await warm(signalTs, pattern)
  best.signalTs = await trial(signalTs, pattern, messages)
  return Object.fromEntries((Object.keys(names) as Impl[]).map((impl) => [impl, result(messages, best[impl]!)])) as Record<Impl, Result>
}

function ratio(a: Result, b: Result): number {
  return Math.round((a.msgsPerSec / b.msgsPerSec) * 100) / 100
}

function print(title: string, results: Record<Impl, Result>): void {
  console.log(`\n${title}`)
  console.log(
    `${'implementation (CPU time)'.padEnd(36)}${'msgs/s'.padStart(10)}${'µs/msg'.padStart(10)}` +
      `${'× Signal native'.padStart(17)}${'× Signal TS'.padStart(13)}${'µs ÷ floor'.padStart(13)}`
  )
  for (const impl of Object.keys(names) as Impl[]) {
    const r = results[impl]
    const floor = impl.endsWith('Wasm') ? results.floorWasm : results.floorNative
    console.log(
      `${names[impl].padEnd(36)}${r.msgsPerSec.toFixed(0).padStart(10)}${r.usPerMsg.toFixed(1).padStart(10)}` +
        `${ratio(r, results.signalNative).toFixed(2).padStart(17)}${ratio(r, results.signalTs).toFixed(1).padStart(13)}` +
        `${(r.usPerMsg / floor.usPerMsg).toFixed(2).padStart(13)}`
    )
  }
}

const wasm = await loadWasm()
await cryptoReady()
const oneWay = await runPattern('oneWay', ONE_WAY, wasm)
print(`(a) one direction, ${ONE_WAY} messages of ${MESSAGE.byteLength} bytes`, oneWay)
const pingPong = await runPattern('pingPong', PING_PONG, wasm)
print(`(b) ping-pong, ${PING_PONG} messages (a DH ratchet step every message)`, pingPong)

const summary = (r: Record<Impl, Result>) => ({
  vsSignalNative: ratio(r.cairnNative, r.signalNative),
  vsSignalTs: ratio(r.cairnNative, r.signalTs),
  usOverFloor: Math.round((r.cairnNative.usPerMsg / r.floorNative.usPerMsg) * 100) / 100,
  nativeOverWasm: ratio(r.cairnNative, r.cairnWasm)
})
const targets = (r: Record<Impl, Result>) => ({
  atLeastSignalNative: r.cairnNative.msgsPerSec >= r.signalNative.msgsPerSec,
  atLeast10xSignalTs: r.cairnNative.msgsPerSec >= 10 * r.signalTs.msgsPerSec,
  within2xOfFloor: r.cairnNative.usPerMsg <= 2 * r.floorNative.usPerMsg
})
const report = {
  benchmark: 'ratchet',
  date: new Date().toISOString(),
  node: process.version,
  quick,
  messageBytes: MESSAGE.byteLength,
  chosenBackend: 'native',
  patterns: {
    oneWay: { results: oneWay, ratios: summary(oneWay), targets: targets(oneWay) },
    pingPong: { results: pingPong, ratios: summary(pingPong), targets: targets(pingPong) }
  }
}
console.log('\nratios (Cairn native):', JSON.stringify({ oneWay: report.patterns.oneWay.ratios, pingPong: report.patterns.pingPong.ratios }))
console.log('targets met:', JSON.stringify({ oneWay: report.patterns.oneWay.targets, pingPong: report.patterns.pingPong.targets }))
const dir = join(import.meta.dirname, '..', 'bench-results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'ratchet.json'), JSON.stringify(report, null, 2) + '\n')
