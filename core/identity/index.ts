export { generateIdentity, type IdentityKeyPair } from './keys'
export { topicSecret } from '../protocol/topics'
export { encodeContactId, decodeContactId } from './contact-id'
export { ContactKey } from './contact-key'
export { safetyNumber } from './safety-number'
export {
  createKeystore,
  openKeystore,
  changeKeystorePassphrase,
  exportBackup,
  importBackup,
  type IdentitySecrets,
  type KeystoreSecrets
} from './keystore'
