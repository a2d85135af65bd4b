export { generateIdentity, topicSecret, type IdentityKeyPair } from './keys'
export { encodeContactId, decodeContactId } from './contact-id'
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
