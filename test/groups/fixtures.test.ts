// Frozen bytes of every group wire format (test/fixtures/groups/). A change to any of these formats
// must be a new version that still reads these files; never regenerate them to make a test pass.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { aeadOpen, cryptoReady } from '../../core/crypto'
import { decodeAccept, decodeEntry, decodeInvite, encodeAccept, encodeEntry, encodeInvite, groupTopic, type Entry } from '../../core/groups'
import type { EntryFields } from '../../core/groups/entry'
import { ReceivingChain } from '../../core/groups/sender-key'
import { decodeShare, encodeShare } from '../../core/groups/share'

import { DIR, fill, inputs } from './fixture-inputs'

beforeAll(cryptoReady)

function strip(e: Entry): EntryFields {
  return { group: e.group, author: e.author, seq: e.seq, heads: e.heads, body: e.body }
}

describe('group wire formats, frozen', () => {
  const { author, group, blocks } = inputs()

  for (const [name, fields] of Object.entries(blocks)) {
    it(`block: ${name}`, () => {
      const frozen = readFileSync(join(DIR, `${name}.bin`))
      expect(encodeEntry(fields, author.secretKey).bytes.toString('hex')).toBe(frozen.toString('hex'))
      const decoded = decodeEntry(frozen)
      expect(strip(decoded)).toEqual(fields)
      if (decoded.body.kind === 'message') {
        const plain = aeadOpen(decoded.body.ciphertext, decoded.ad, decoded.body.nonce, fill(32, 6))
        expect(plain?.toString()).toBe('hello group')
      }
    })
  }

  it('sealed sender key share', () => {
    const share = { group, author: author.publicKey, keyId: fill(16, 4), chainKey: fill(32, 0x0a), index: 1000, groupSecret: fill(32, 0x0b) }
    const frozen = readFileSync(join(DIR, 'share.bin'))
    expect(encodeShare(share).toString('hex')).toBe(frozen.toString('hex'))
    expect(decodeShare(frozen)).toEqual(share)
  })

  it('invite and accept', () => {
    const invite = { genesis: { group, creator: author.publicKey, creatorLog: fill(32, 0x15) }, groupSecret: fill(32, 0x0b), name: 'Café ☕' }
    const accept = { group, log: fill(32, 0x16) }
    const frozenInvite = readFileSync(join(DIR, 'invite.bin'))
    const frozenAccept = readFileSync(join(DIR, 'accept.bin'))
    expect(encodeInvite(invite).toString('hex')).toBe(frozenInvite.toString('hex'))
    expect(encodeAccept(accept).toString('hex')).toBe(frozenAccept.toString('hex'))
    expect(decodeInvite(frozenInvite)).toEqual(invite)
    expect(decodeAccept(frozenAccept)).toEqual(accept)
  })

  it('group id, topic and sender chain derivations', () => {
    const vectors = JSON.parse(readFileSync(join(DIR, 'vectors.json'), 'utf8'))
    expect(group.toString('hex')).toBe(vectors.groupId)
    expect(groupTopic(fill(32, 0x0b), 2900).toString('hex')).toBe(vectors.topic)
    const chain = ReceivingChain.from({ keyId: fill(16, 4), chainKey: fill(32, 0x0a), index: 0 })
    const keys = [0, 1, 2].map((i) => chain.decrypt(fill(16, 4), i, (k) => Buffer.from(k).toString('hex')))
    expect(keys).toEqual(vectors.senderChain)
  })
})
