import { GroupError } from './errors'
import { decodeEntry, type Entry } from './entry'

/**
 * Proof that a member equivocated: two blocks, both signed by the same author for the same group and
 * the same position of their log, with different content. Anyone can check it without trusting the
 * member who reports it, so it can be passed to everyone in the group.
 */
export interface ForkEvidence {
  author: Buffer
  group: Buffer
  seq: number
  first: Buffer
  second: Buffer
}

export function forkEvidence(a: Entry, b: Entry): ForkEvidence {
  return { author: a.author, group: a.group, seq: a.seq, first: a.bytes, second: b.bytes }
}

/** Throws GroupError unless the two blocks really are a fork of one author's log. */
export function verifyForkEvidence(e: ForkEvidence): void {
  const a = decodeEntry(e.first)
  const b = decodeEntry(e.second)
  const same = a.author.equals(b.author) && a.author.equals(e.author) && a.group.equals(b.group) && a.seq === b.seq
  if (!same || a.seq !== e.seq || !a.group.equals(e.group)) {
    throw new GroupError('malformed', 'the two blocks are not from one position of one log')
  }
  if (a.hash.equals(b.hash)) throw new GroupError('malformed', 'the two blocks are the same block')
}
