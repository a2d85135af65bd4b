import { CairnError } from '../core/api/errors'
import type { CairnApi, Contact, ContactId } from '../core/api/types'
import { parseContactId } from '../core/host/contact-id'

/**
 * CONTACT on the command line: a contact ID, or the local name of exactly one contact (exact match
 * first, then ignoring case). Requesters' announced names are never matched: they are chosen by
 * strangers and could impersonate a contact.
 */
export async function resolveContact(api: CairnApi, ref: string): Promise<ContactId> {
  let idError: CairnError
  try {
    return await parseContactId(ref)
  } catch (err) {
    idError = CairnError.from(err)
    if (idError.code !== 'invalid-contact-id') throw idError
  }

  const contacts = await api.contacts()
  let named = contacts.filter((c) => c.name === ref)
  if (named.length === 0) named = contacts.filter((c) => c.name.toLowerCase() === ref.toLowerCase())
  if (named.length === 1) return named[0].id
  if (named.length > 1) {
    throw new CairnError('invalid-argument', `"${ref}" names ${named.length} contacts; use an ID: ${listIds(named)}`)
  }
  throw new CairnError('not-found', `no contact is named "${ref}", and it is not a contact ID (${idError.message})`)
}

function listIds(contacts: Contact[]): string {
  return contacts.map((c) => c.id).join(', ')
}
