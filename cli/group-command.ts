// `cairn group ACTION …` and `cairn groups`: groups from the command line, through the same API.
import { CairnError } from '../core/api/errors'
import type { ApiSession } from './session'
import { UsageError } from './exit-codes'
import { formatGroupMembers, formatGroups, printable } from './format'
import { resolveContact } from './resolve-contact'
import { resolveGroup } from './resolve-target'

interface Output {
  text?: string
  data?: unknown
  note?: string
}

const ACTIONS = ['create', 'add', 'remove', 'leave', 'rename', 'members']

/** Checks the words before the profile is opened; returns what runs once it is. */
export function groupCommand(action: string, target: string, rest: string[]): (s: ApiSession) => Promise<Output> {
  if (!ACTIONS.includes(action)) throw new UsageError(`group: unknown action ${JSON.stringify(action)}; the actions are: ${ACTIONS.join(', ')}`)
  const exactly = (n: number, usage: string) => {
    if (rest.length !== n) throw new UsageError(`group ${action}: usage: cairn group ${action} ${usage}`)
  }
  switch (action) {
    case 'create':
      return async ({ api }) => {
        const members = await Promise.all(rest.map((c) => resolveContact(api, c)))
        const group = await api.createGroup(target, members)
        return { text: `${group.id}\n`, data: group, note: members.length > 0 ? `invited ${members.length}; each joins when their node is online` : undefined }
      }
    case 'add':
      if (rest.length === 0) throw new UsageError('group add: usage: cairn group add GROUP CONTACT…')
      return async ({ api }) => {
        const members = await Promise.all(rest.map((c) => resolveContact(api, c)))
        const group = await api.inviteToGroup(await resolveGroup(api, target), members)
        return { text: formatGroupMembers(group), data: group }
      }
    case 'remove':
      exactly(1, 'GROUP CONTACT')
      return async ({ api }) => {
        const group = await resolveGroup(api, target)
        const info = await api.groups().then((gs) => gs.find((g) => g.id === group))
        // A member who is not my contact is named by their ID (or its start, as the member list shows it).
        const member = info?.members.find((m) => m.id === rest[0] || (rest[0].length >= 8 && m.id.startsWith(rest[0])))
        const updated = await api.removeFromGroup(group, member ? member.id : await resolveContact(api, rest[0]))
        return { text: formatGroupMembers(updated), data: updated }
      }
    case 'leave':
      exactly(0, 'GROUP')
      return async ({ api }) => {
        const group = await api.leaveGroup(await resolveGroup(api, target))
        return { data: group, note: `left ${printable(group.name)}` }
      }
    case 'rename':
      exactly(1, 'GROUP NAME')
      return async ({ api }) => {
        const group = await api.renameGroup(await resolveGroup(api, target), rest[0])
        return { text: `${printable(group.name)}\n`, data: group }
      }
    default:
      exactly(0, 'GROUP')
      return async ({ api }) => {
        const id = await resolveGroup(api, target)
        const group = (await api.groups()).find((g) => g.id === id)
        if (!group) throw new CairnError('not-found', 'no such group')
        return { text: formatGroupMembers(group), data: group.members }
      }
  }
}

export function groupsCommand(): (s: ApiSession) => Promise<Output> {
  return async ({ api }) => {
    const groups = await api.groups()
    return { text: formatGroups(groups), data: groups }
  }
}
