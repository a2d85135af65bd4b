import { CairnError } from '../../../core/api/errors'

/** The sentence to show a person for any rejection from the API. */
export function errorText(err: unknown): string {
  const e = CairnError.from(err)
  switch (e.code) {
    case 'wrong-passphrase':
      return 'That passphrase is not right. Check it and try again.'
    case 'profile-busy':
      return 'This profile is open in another Cairn window.'
    case 'self':
      return 'That is your own contact ID.'
    case 'locked':
      return 'Cairn is locked. Unlock it to continue.'
    default:
      return e.message.charAt(0).toUpperCase() + e.message.slice(1)
  }
}

export function errorCode(err: unknown): string {
  return CairnError.from(err).code
}
