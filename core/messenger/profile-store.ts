import type Corestore from 'corestore'
import { profileLayout } from '../profile/layout'
import { StoreEpochs, type EpochPolicy } from '../store/epochs'
import { epochFileKey, storeCipher } from './store-keys'

export interface ProfileStoreOptions {
  policy?: EpochPolicy
  clock?: () => number
  onError(err: unknown): void
}

/** A profile's encrypted store in its current epoch: the one way the messenger, tools and tests open it. */
export function openProfileStore(corestore: Corestore, profileDir: string, storageKey: Buffer, opts: ProfileStoreOptions): Promise<StoreEpochs> {
  return StoreEpochs.open({
    corestore,
    file: profileLayout(profileDir).storeEpoch,
    fileKey: epochFileKey(storageKey),
    cipherFor: (epochKey) => storeCipher(storageKey, epochKey),
    ...opts
  })
}
