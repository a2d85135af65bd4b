// Today's code reads the bytes every format was written in on 2026-12-01 (test/fixtures/v1) and
// yields the values they were written from. A failure here means existing profiles, backups or
// peers would stop working: add a new fixture and a migration instead of changing these.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, ed25519KeyPair, x25519PublicKey } from '../../core/crypto'
import { decodeContactId, encodeContactId } from '../../core/identity/contact-id'
import { importBackup, openKeystore } from '../../core/identity/keystore'
import { safetyNumber } from '../../core/identity/safety-number'
import { decodePayload, encodePayload } from '../../core/protocol/payload'
import { corestorePrimaryKey, storeCipher } from '../../core/messenger/store-keys'
import {
  ACK_FRAME,
  decodeAckFrame,
  decodeControlFrame,
  decodeRequestFrame,
  encodeControlFrame,
  encodeRequestFrame
} from '../../core/net/frames'
import { inboxTopic, pairDays } from '../../core/protocol/topics'
import { signHello, verifyHello } from '../../core/net/hello'
import {
  Session,
  decodeBundle,
  decodeSignedPrekey,
  encodeBundle,
  encodeSignedPrekey,
  inspectEnvelope,
  type SignedPrekey
} from '../../core/ratchet'
import { storeRecords } from '../fixtures/store-records'
import { controlFrames, fixture, requestFrames } from '../fixtures/values'

const path = (name: string) => fileURLToPath(new URL(`../fixtures/v1/${name}`, import.meta.url))
const bytes = (name: string) => readFileSync(path(name))
const json = <T>(name: string): T => JSON.parse(readFileSync(path(name), 'utf8'))
const hex = (s: string) => Buffer.from(s, 'hex')

let alice: ReturnType<typeof ed25519KeyPair>
let bob: ReturnType<typeof ed25519KeyPair>
let prekey: SignedPrekey

beforeAll(async () => {
  await cryptoReady()
  alice = ed25519KeyPair(fixture.alice.seed)
  bob = ed25519KeyPair(fixture.bob.seed)
  prekey = decodeSignedPrekey(bytes('signed-prekey.bin'))
})

describe('keystore and backup (sealed secrets, version 1)', () => {
  const expectIdentity = (secrets: Awaited<ReturnType<typeof importBackup>>) => {
    expect(secrets.identity.publicKey).toEqual(alice.publicKey)
    expect(secrets.identity.secretKey).toEqual(alice.secretKey)
    expect(secrets.name).toBe(fixture.alice.name)
  }
  const expectAlice = (secrets: Awaited<ReturnType<typeof openKeystore>>) => {
    expectIdentity(secrets)
    expect(secrets.storageKey).toEqual(fixture.alice.storageKey)
  }

  it('opens the keystore file with its passphrase and refuses another', async () => {
    expect(bytes('keystore.bin').subarray(0, 8).toString('latin1')).toBe('CAIRNKS\x01')
    expectAlice(await openKeystore(path('keystore.bin'), fixture.passphrase))
    await expect(openKeystore(path('keystore.bin'), 'not it')).rejects.toMatchObject({ code: 'wrong-passphrase' })
  })

  it('imports the backup text with the backup passphrase', async () => {
    const text = readFileSync(path('backup.txt'), 'utf8')
    expect(text.startsWith('cairn-backup-v1:')).toBe(true)
    // A v1 backup carried the storage key too; restore never needed it, so it is dropped on import.
    const restored = await importBackup(text, fixture.backupPassphrase)
    expectIdentity(restored)
    expect(Object.keys(restored).sort()).toEqual(['identity', 'name'])
    await expect(importBackup(text, fixture.passphrase)).rejects.toMatchObject({ code: 'wrong-passphrase' })
  })
})

describe('identifiers derived from keys', () => {
  it('contact IDs, safety number, rendezvous topics and storage subkeys are as they were', () => {
    const ids = json<Record<string, string>>('identifiers.json')
    expect(encodeContactId(alice.publicKey)).toBe(ids.aliceContactId)
    expect(encodeContactId(bob.publicKey)).toBe(ids.bobContactId)
    expect(decodeContactId(ids.bobContactId)).toEqual(bob.publicKey)
    expect(safetyNumber(alice.publicKey, bob.publicKey)).toBe(ids.safetyNumber)
    // ids.alicePairTopic and ids.bobPairTopic are retired: a pair meets under daily keys and topics
    // now (v2 below); both contacts must run a version with them (README, "Upgrading").
    expect(inboxTopic(alice.publicKey).toString('hex')).toBe(ids.aliceInboxTopic)
    expect(corestorePrimaryKey(fixture.alice.storageKey).toString('hex')).toBe(ids.corestorePrimaryKey)
    expect(storeCipher(fixture.alice.storageKey).tag(bob.publicKey).toString('hex')).toBe(ids.storeTagOfBob)
  })
})

describe('v2: daily pair keys and topics, and the hello (test/fixtures/v2)', () => {
  it("each side's key and topic for two days, and a hello, are as they were", () => {
    const v2 = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/v2/pair-rendezvous.json', import.meta.url)), 'utf8')) as {
      days: { day: number; aliceKey: string; aliceTopic: string; bobKey: string; bobTopic: string }[]
      hello: { handshakeHash: string; bytes: string }
    }
    for (const fixed of v2.days) {
      const [fromAlice] = pairDays(alice, bob.publicKey, [fixed.day])
      const [fromBob] = pairDays(bob, alice.publicKey, [fixed.day])
      expect(fromAlice.mine.keyPair.publicKey.toString('hex')).toBe(fixed.aliceKey)
      expect(fromAlice.mine.topic.toString('hex')).toBe(fixed.aliceTopic)
      expect(fromAlice.theirs.publicKey.toString('hex')).toBe(fixed.bobKey)
      expect(fromBob.mine.topic.toString('hex')).toBe(fixed.bobTopic)
    }
    const [day] = pairDays(alice, bob.publicKey, [v2.days[0].day])
    const stream = { handshakeHash: Buffer.from(v2.hello.handshakeHash, 'hex'), publicKey: day.mine.keyPair.publicKey, remotePublicKey: day.theirs.publicKey }
    expect(signHello(alice.secretKey, stream).toString('hex')).toBe(v2.hello.bytes)
    const atBob = { handshakeHash: stream.handshakeHash, publicKey: stream.remotePublicKey, remotePublicKey: stream.publicKey }
    expect(verifyHello(Buffer.from(v2.hello.bytes, 'hex'), alice.publicKey, atBob)).toBe(true)
  })
})

describe('signed prekey and bundle', () => {
  it('decodes the stored signed prekey and encodes it back to the same bytes', () => {
    expect(prekey.id).toBe(fixture.bob.prekeyId)
    expect(prekey.createdAt).toBe(fixture.bob.prekeyCreatedAt)
    expect(x25519PublicKey(prekey.secretKey)).toEqual(prekey.publicKey)
    expect(encodeSignedPrekey(prekey)).toEqual(bytes('signed-prekey.bin'))
  })

  it("decodes Bob's bundle, verifies its signature, and encodes it back to the same bytes", () => {
    const bundle = decodeBundle(bytes('bundle.bin'), bob.publicKey)
    expect(bundle).toEqual({ identityKey: bob.publicKey, prekeyId: prekey.id, prekey: prekey.publicKey, signature: prekey.signature })
    expect(encodeBundle(bundle)).toEqual(bytes('bundle.bin'))
    expect(() => decodeBundle(bytes('bundle.bin'), alice.publicKey)).toThrow()
  })
})

describe('envelopes, payloads and ratchet state', () => {
  const responderState = () => Session.decode(bytes('ratchet-responder.bin'))

  it('tells an initial envelope from a message and reads its session id', () => {
    const id = responderState().id
    expect(inspectEnvelope(bytes('envelope-initial.bin'))).toEqual({ sessionId: id, initial: true })
    expect(inspectEnvelope(bytes('envelope-reply-1.bin'))).toEqual({ sessionId: id, initial: false })
    expect(inspectEnvelope(bytes('envelope-reply-2.bin'))).toEqual({ sessionId: id, initial: false })
  })

  // Not byte-equal to the stored state: answering ratchets forward to a fresh random key pair.
  it("Bob answers the initial envelope with the stored prekey: the message and the stored session's id", () => {
    const { session, plaintext } = Session.respond(bob, alice.publicKey, bytes('envelope-initial.bin'), (id) =>
      id === prekey.id ? prekey : null
    )
    expect(decodePayload(plaintext)).toEqual({ kind: 'text', ...fixture.messages[0] })
    expect(encodePayload({ kind: 'text', ...fixture.messages[0] })).toEqual(plaintext)
    expect(session.id).toEqual(responderState().id)
  })

  it("Alice's stored state (awaiting a reply) reads both replies, and re-encodes to the same bytes", () => {
    expect(Session.decode(bytes('ratchet-initiator.bin')).encode()).toEqual(bytes('ratchet-initiator.bin'))
    const session = Session.decode(bytes('ratchet-initiator.bin'))
    expect(session.awaitingReply).toBe(true)
    expect(session.id).toEqual(responderState().id)
    expect(decodePayload(session.decrypt(bytes('envelope-reply-1.bin')))).toEqual({ kind: 'text', ...fixture.messages[1] })
    expect(decodePayload(session.decrypt(bytes('envelope-reply-2.bin')))).toEqual({ kind: 'text', ...fixture.messages[2] })
    expect(session.awaitingReply).toBe(false)
  })

  it("Alice's stored state with a skipped key reads the late first reply once", () => {
    expect(Session.decode(bytes('ratchet-initiator-skipped.bin')).encode()).toEqual(bytes('ratchet-initiator-skipped.bin'))
    const session = Session.decode(bytes('ratchet-initiator-skipped.bin'))
    expect(session.awaitingReply).toBe(false)
    expect(decodePayload(session.decrypt(bytes('envelope-reply-1.bin')))).toEqual({ kind: 'text', ...fixture.messages[1] })
    expect(() => session.decrypt(bytes('envelope-reply-2.bin'))).toThrow()
    expect(() => session.decrypt(bytes('envelope-reply-1.bin'))).toThrow()
  })

  it("Bob's stored state re-encodes to the same bytes", () => {
    expect(responderState().encode()).toEqual(bytes('ratchet-responder.bin'))
  })
})

describe('control and inbox frames', () => {
  it.each(Object.keys(controlFrames(Buffer.alloc(0))))('control frame %s decodes to its value and encodes to its bytes', (name) => {
    const frame = controlFrames(bytes('bundle.bin'))[name]
    const stored = hex(json<Record<string, string>>('control-frames.json')[name])
    expect(decodeControlFrame(stored)).toEqual(frame)
    expect(encodeControlFrame(frame)).toEqual(stored)
  })

  it.each(Object.keys(requestFrames(Buffer.alloc(0))))('request frame %s decodes to its value and encodes to its bytes', (name) => {
    const frame = requestFrames(bytes('bundle.bin'))[name]
    const stored = hex(json<Record<string, string>>('request-frames.json')[name])
    expect(decodeRequestFrame(stored)).toEqual(frame)
    expect(encodeRequestFrame(frame)).toEqual(stored)
  })

  it('the acknowledgement frame is the stored bytes', () => {
    const stored = hex(json<Record<string, string>>('request-frames.json').ack)
    expect(ACK_FRAME).toEqual(stored)
    expect(() => decodeAckFrame(stored)).not.toThrow()
  })
})

describe('store records, sealed under the storage key', () => {
  type Sealed = Record<string, { key: string; sealed: string }>
  const cipher = () => storeCipher(fixture.alice.storageKey)
  const expected = () =>
    storeRecords(cipher().tag(bob.publicKey), {
      bob: bob.publicKey,
      prekey,
      session: bytes('ratchet-responder.bin'),
      envelope: bytes('envelope-reply-1.bin')
    })

  it.each(Object.keys(json<Sealed>('store-values.json')))('%s: the key layout and the sealed value are as written', (name) => {
    const stored = json<Sealed>('store-values.json')[name]
    const record = expected()[name]
    expect(record, `no expected record named ${name}`).toBeDefined()
    const key = hex(stored.key)
    expect(key).toEqual(record.key)
    const value = cipher().open(hex(stored.sealed), key)
    expect(value).toEqual(record.value)
    if (record.json !== undefined) expect(JSON.parse(value.toString('utf8'))).toEqual(record.json)
    const elsewhere = Buffer.from(key)
    elsewhere[0] ^= 0x80
    expect(() => cipher().open(hex(stored.sealed), elsewhere)).toThrow()
  })

  it('every kind of record has a fixture', () => {
    expect(Object.keys(json<Sealed>('store-values.json')).sort()).toEqual(Object.keys(expected()).sort())
  })

  it('the stored session and prekey decode', () => {
    const values = json<Sealed>('store-values.json')
    const open = (name: string) => cipher().open(hex(values[name].sealed), hex(values[name].key))
    expect(Session.decode(open('session')).id).toEqual(Session.decode(bytes('ratchet-responder.bin')).id)
    expect(decodeSignedPrekey(open('prekey'))).toEqual(prekey)
    expect(open('outBlock').readBigUInt64BE()).toBe(0n)
  })
})
