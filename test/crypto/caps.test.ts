import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, ed25519KeyPair } from '../../core/crypto'
import { encodeContactId, safetyNumber, topicSecret } from '../../core/identity'
import { corestorePrimaryKey, storeCipher } from '../../core/messenger/store-keys'
import { inboxTopic, pairTopics } from '../../core/net'
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
    const topics = pairTopics(a, b.publicKey)
    expect(topics.mine.toString('hex')).toBe('0c6cd55bcf18a39862749be0d7f954148893230f456483a3b4f24a077923e507')
    expect(topics.theirs.toString('hex')).toBe('38a423d33a8aac200e93aff0f1292bfb1ad04833f48c9d8c10509dd29175a591')
    expect(inboxTopic(a.publicKey).toString('hex')).toBe('fb998f53315bf5c5b475a777fa1ae0e5d07cd12be396826d4cd89d0790e414ba')
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
