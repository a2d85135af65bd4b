import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aeadSeal, ed25519KeyPair } from '../../core/crypto'
import { groupIdOf, type Op } from '../../core/groups'
import { messageAd, type Body, type EntryFields } from '../../core/groups/entry'

export const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'groups')
export const fill = (n: number, b: number) => Buffer.alloc(n, b)

/** Fixed keys and fields for every group block kind; Ed25519 signatures are deterministic, so are the bytes. */
export function inputs() {
  const author = ed25519KeyPair(fill(32, 1))
  const member = ed25519KeyPair(fill(32, 2)).publicKey
  const group = groupIdOf(author.publicKey, fill(32, 3))
  const heads = [
    { log: fill(32, 0x11), length: 3, hash: fill(32, 0x12) },
    { log: fill(32, 0x13), length: 300, hash: fill(32, 0x14) }
  ]
  const ops: Record<string, Op> = {
    create: { type: 'create', nonce: fill(32, 3), name: 'Café ☕' },
    add: { type: 'add', member, log: fill(32, 0x15) },
    remove: { type: 'remove', member },
    promote: { type: 'promote', member },
    leave: { type: 'leave' },
    rename: { type: 'rename', name: 'renamed' }
  }
  const fields = (seq: number, body: Body, h = heads): EntryFields => ({ group, author: author.publicKey, seq, heads: h, body })
  const blocks: Record<string, EntryFields> = {}
  Object.entries(ops).forEach(([name, op], i) => (blocks[`op-${name}`] = fields(i, { kind: 'op', op }, i === 0 ? [] : heads)))
  blocks['sender-key'] = fields(10, {
    kind: 'sender-key',
    keyId: fill(16, 4),
    recipients: [
      { member, sealed: fill(10, 7) },
      { member: fill(32, 9), sealed: fill(5, 8) }
    ]
  })
  const message = fields(11, { kind: 'message', keyId: fill(16, 4), index: 5, nonce: fill(24, 5), ciphertext: Buffer.alloc(0) })
  const body = message.body as Extract<Body, { kind: 'message' }>
  body.ciphertext = aeadSeal(Buffer.from('hello group'), messageAd(message), body.nonce, fill(32, 6))
  blocks.message = message
  return { author, group, blocks }
}

