import { CairnError } from '../core/api/errors'
import type { CairnApi, ContactId, GroupId, GroupInfo } from '../core/api/types'
import { resolveContact } from './resolve-contact'

export type Target = { kind: 'contact'; id: ContactId } | { kind: 'group'; id: GroupId }

/**
 * GROUP on the command line: a group id (or at least 8 of its first hex characters), or the name of
 * exactly one group (exact match first, then ignoring case).
 */
export async function resolveGroup(api: CairnApi, ref: string): Promise<GroupId> {
  const found = await matchGroups(api, ref)
  if (found.length === 1) return found[0].id
  if (found.length > 1) throw new CairnError('invalid-argument', `"${ref}" names ${found.length} groups; use an id: ${found.map((g) => g.id.slice(0, 12)).join(', ')}`)
  throw new CairnError('not-found', `no group is named "${ref}" or has that id (list them with: cairn groups)`)
}

async function matchGroups(api: CairnApi, ref: string): Promise<GroupInfo[]> {
  const groups = await api.groups()
  const lower = ref.toLowerCase()
  if (/^[0-9a-f]{8,64}$/.test(lower)) {
    const byId = groups.filter((g) => g.id.startsWith(lower))
    if (byId.length > 0) return byId
  }
  const named = groups.filter((g) => g.name === ref)
  return named.length > 0 ? named : groups.filter((g) => g.name.toLowerCase() === lower)
}

/** What `send` and `history` write to or read from: a contact, or else a group. */
export async function resolveTarget(api: CairnApi, ref: string): Promise<Target> {
  try {
    return { kind: 'contact', id: await resolveContact(api, ref) }
  } catch (err) {
    if (!(err instanceof CairnError) || err.code !== 'not-found') throw err
    const groups = await matchGroups(api, ref)
    if (groups.length === 0) throw err
    return { kind: 'group', id: await resolveGroup(api, ref) }
  }
}
