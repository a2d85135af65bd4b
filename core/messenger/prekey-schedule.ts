import type { IdentityKeyPair } from '../identity'
import { generateSignedPrekey, type SignedPrekey } from '../ratchet'

const DAY_MS = 24 * 60 * 60 * 1000

export interface PrekeyPolicy {
  /** A signed prekey older than this is replaced by a new one. */
  rotateAfterMs: number
  /** A replaced prekey's secret is kept this long after its replacement, for initial envelopes still made from it. */
  graceMs: number
  /** At most this many replaced prekeys are kept, however young. */
  maxRetired: number
}

// Signal's rhythm: a new signed prekey every week, the old ones honoured for a month.
export const DEFAULT_PREKEY_POLICY: PrekeyPolicy = { rotateAfterMs: 7 * DAY_MS, graceMs: 30 * DAY_MS, maxRetired: 5 }

/** What the schedule asks for now: a new current prekey, and the ids of expired ones to delete. */
export interface PrekeyChanges {
  created: SignedPrekey | null
  deleted: number[]
}

/**
 * Decides rotation and expiry from the prekeys alone: ids only grow, so a replaced prekey's
 * retirement time is its successor's creation time and no other record is needed.
 */
export function prekeyChanges(
  identity: IdentityKeyPair,
  prekeys: ReadonlyMap<number, SignedPrekey>,
  currentId: number,
  now: number,
  policy: PrekeyPolicy
): PrekeyChanges {
  const current = prekeys.get(currentId)
  const ids = [...prekeys.keys()].sort((a, b) => a - b)
  let created: SignedPrekey | null = null
  if (!current || now - current.createdAt >= policy.rotateAfterMs) {
    const id = (ids[ids.length - 1] ?? 0) + 1
    created = { ...generateSignedPrekey(identity, id), createdAt: now }
  }
  const all = created ? [...ids, created.id] : ids
  const keep = created ? created.id : currentId
  const retired = all.filter((id) => id !== keep)
  const deleted: number[] = []
  retired.forEach((id, i) => {
    const successor = all[all.indexOf(id) + 1]
    const retiredAt = successor === created?.id ? now : (prekeys.get(successor)?.createdAt ?? now)
    const tooMany = retired.length - i > policy.maxRetired
    if (tooMany || now - retiredAt >= policy.graceMs) deleted.push(id)
  })
  return { created, deleted }
}
