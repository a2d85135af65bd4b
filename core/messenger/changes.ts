// Reactions and edits: the payload that changes a message already in the conversation on the
// contact's side, and how my own copy changes with it.
import { CairnError } from '../api/errors'
import { decodePayload, encodePayload, type MessageRef } from '../protocol/payload'
import { MAX_PLAINTEXT_BYTES } from '../ratchet'
import { withReaction } from './receive'
import type { MessageRecord } from './records'
import { messagePayload, QUEUED } from './send'

/** Earlier texts of one of my messages kept for my own view; older ones are dropped. */
const MAX_EDITS_KEPT = 20

export interface Change {
  payload: Buffer
  apply: (m: MessageRecord) => MessageRecord
}

/** My one reaction to a message ('' withdraws it); throws CairnError before anything is written. */
export function reaction(ref: MessageRef, emoji: string): Change {
  if (ref.block === QUEUED) throw new CairnError('invalid-argument', 'this message has not been sent yet; react once it has')
  const payload = encodePayload({ kind: 'react', sentAt: Date.now(), to: ref, emoji })
  // the peer's decoder is the rule for what a reaction may be: refuse here what it would refuse
  decodePayload(payload)
  return { payload, apply: (m) => withReaction(m, 'mine', emoji) }
}

/**
 * A new text for one of my messages. A queued one is edited in place (the new text is what will be
 * sealed), so its payload is only checked, never sent: see writeChange.
 */
export function edit(ref: MessageRef, text: string): Change {
  if (!ref.mine) throw new CairnError('invalid-argument', 'only my own messages can be edited')
  const payload = ref.block === QUEUED ? messagePayload(text, Date.now()) : encodePayload({ kind: 'edit', sentAt: Date.now(), to: ref, text })
  if (payload.length > MAX_PLAINTEXT_BYTES) throw new CairnError('invalid-argument', 'the message is too long')
  return { payload, apply: (m) => ({ ...m, text, edited: true, edits: [...(m.edits ?? []), m.text].slice(-MAX_EDITS_KEPT) }) }
}
