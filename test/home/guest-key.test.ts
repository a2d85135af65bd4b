import { describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import { visitingKeyPair, visitorKey } from '../../core/home'
import { dayOf, pairDays } from '../../core/protocol/topics'

describe('a contact’s visiting key for a home node', () => {
  it('is the key the owner grants, and links to nothing: not the identity, not the pair topics, not the key for another box or pair', async () => {
    await cryptoReady()
    const [alice, bob, carol] = [generateIdentity(), generateIdentity(), generateIdentity()]
    const box = randomBytes(32)
    const visiting = visitingKeyPair(alice, bob.publicKey, box)
    expect(visitorKey(bob, alice.publicKey, box).equals(visiting.publicKey)).toBe(true)
    const others = [
      alice.publicKey,
      bob.publicKey,
      ...pairDays(alice, bob.publicKey, [dayOf(Date.now())]).flatMap((d) => [d.mine.topic, d.mine.keyPair.publicKey, d.theirs.topic, d.theirs.publicKey]),
      visitingKeyPair(alice, bob.publicKey, randomBytes(32)).publicKey,
      visitingKeyPair(alice, carol.publicKey, box).publicKey,
      visitingKeyPair(bob, alice.publicKey, box).publicKey
    ]
    for (const other of others) expect(other.equals(visiting.publicKey)).toBe(false)
  })
})
