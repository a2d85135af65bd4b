import { join } from 'node:path'

/** Where each part of a profile lives inside its folder. */
export function profileLayout(dir: string): { keystore: string; cores: string; storeEpoch: string; scratch: string } {
  return { keystore: join(dir, 'keystore'), cores: join(dir, 'cores'), storeEpoch: join(dir, 'store-epoch'), scratch: join(dir, 'scratch') }
}
