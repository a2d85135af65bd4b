import type { Contact } from '../../../core/api/types'

/** Contacts by most recent activity, then by name, narrowed by a case-insensitive filter. */
export function sortedContacts(contacts: readonly Contact[], filter: string): Contact[] {
  const f = filter.trim().toLowerCase()
  return contacts
    .filter((c) => !f || c.name.toLowerCase().includes(f) || (c.announcedName ?? '').toLowerCase().includes(f))
    .sort((a, b) => b.lastActivity - a.lastActivity || a.name.localeCompare(b.name))
}
