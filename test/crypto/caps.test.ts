import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, ed25519KeyPair } from '../../core/crypto'
import { encodeContactId, safetyNumber, topicSecret } from '../../core/identity'
import { corestorePrimaryKey, storeCipher } from '../../core/messenger/store-keys'
import { inboxTopic, pairDays, signHello, verifyHello } from '../../core/net'
import { decodeBundle } from '../../core/ratchet'

// Values computed by the code before the domain tags moved to core/protocol/caps.ts: a changed tag
// byte changes every one of them, and would orphan every contact ID, topic and store written before.
beforeAll(() => cryptoReady())

describe('domain-separated derivations keep their bytes', () => {
  const a = ed25519KeyPair(Buffer.alloc(32, 1))
  const b = ed25519KeyPair(Buffer.alloc(32, 2))
  const storageKey = Buffer.alloc(32, 3)

  it('contact IDs and the safety number', () => {
    expect(encodeContactId(a.publicKey)).toBe('tkrq8zmwb8a3m9k15csu3q17qmfgqnp9dskbrg9uq1rydpyxp7qbot7d')
    expect(encodeContactId(b.publicKey)).toBe('orhzqdiexwmi6iidktucgud63ufa5nwtsuzdxe176a8izd6jsqkjy39z')
    expect(safetyNumber(a.publicKey, b.publicKey)).toBe(
      '21700 70840 75588 52871 45622 04976 30500 04414 84496 92326 24711 78698'
    )
  })

  it('rendezvous topics', () => {
    expect(topicSecret(a, b.publicKey).toString('hex')).toBe('09aa4e3f6ae167e4cd069e643102656031e27a8b7c461e2ec9ceea79ef1af151')
    expect(inboxTopic(a.publicKey).toString('hex')).toBe('fb998f53315bf5c5b475a777fa1ae0e5d07cd12be396826d4cd89d0790e414ba')
  })

  // Pinned when the pair keys and daily topics were introduced (both ends must derive the same ones).
  it("a pair's key pairs and topics for one day", () => {
    const [day] = pairDays(a, b.publicKey, [20_000])
    expect(day.mine.keyPair.publicKey.toString('hex')).toBe('02f0821dd260780bdfa333e31553ca6134993cddb40018272065ffac7ab02425')
    expect(day.mine.topic.toString('hex')).toBe('b688522825582f8d863133417190204174c30a562b718bf4fd6325d0b9c35815')
    expect(day.theirs.publicKey.toString('hex')).toBe('3dc0d593b118fb90d2902cc7a66011dbd7d74c076e667b17b376a8049d3f9660')
    expect(day.theirs.topic.toString('hex')).toBe('4e5799bd63659ea3c3ef744800126e4e84ded52c0528b53e0eda51672ca287bd')
  })

  it('the hello on the wire', () => {
    const [day] = pairDays(a, b.publicKey, [20_000])
    const stream = { handshakeHash: Buffer.alloc(64, 4), publicKey: day.mine.keyPair.publicKey, remotePublicKey: day.theirs.publicKey }
    const hello = Buffer.from(
      '897608c2e5fc75e1c8e939f42cfe37b302a2f0d4a20f1e11c57702db385f3b0cb9d3131d97cfa5534e87bb0989094045953c5c03d84b4587184cc88661dd690e',
      'hex'
    )
    expect(signHello(a.secretKey, stream).equals(hello)).toBe(true)
    const seenByB = { handshakeHash: stream.handshakeHash, publicKey: stream.remotePublicKey, remotePublicKey: stream.publicKey }
    expect(verifyHello(hello, a.publicKey, seenByB)).toBe(true)
    expect(verifyHello(hello, b.publicKey, seenByB)).toBe(false)
  })

  it('storage subkeys', () => {
    expect(corestorePrimaryKey(storageKey).toString('hex')).toBe('0be707b715c8e589cffe803b36aa3ee64e88013f1e87bd6778d86342f772103f')
    expect(storeCipher(storageKey).tag(Buffer.from('x')).toString('hex')).toBe('c05f01b81a740576a698ca2d3d275aba')
  })

  it('a prekey bundle signed before still verifies', () => {
    const bundle = Buffer.from(
      '018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c07000000357eecd066a2a041a15a6d88bf83e40e34a8c69f77b1ac' +
        '62516b579aae1c470c3b646c5380822480514fd644e25c4841878772aaded7190c846d3b7ca0ed75c594138c3942804645b31b5d9e67a4dcf7f542d1' +
        '1de4cf36549790cbb2ccc40a0f',
      'hex'
    )
    expect(decodeBundle(bundle, a.publicKey).prekeyId).toBe(7)
  })
})
