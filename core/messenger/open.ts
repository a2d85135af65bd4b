import { mkdir, rm } from 'node:fs/promises'
import Corestore from 'corestore'
import { CairnError } from '../api/errors'
import { DEFAULT_AUTO_DOWNLOAD } from '../blobs'
import { cryptoReady, randomBytes } from '../crypto'
import { createKeystore, generateIdentity, openKeystore, type IdentityKeyPair, type KeystoreSecrets } from '../identity'
import { Network } from '../net'
import type { BootstrapNode } from '../profile/bootstrap'
import { pruneInfoLogs } from '../profile/info-logs'
import { profileStorage, profileStoreOptions, storageDbDir } from '../profile/storage'
import { profileLayout } from '../profile/layout'
import { MAX_FILE_BYTES_DEFAULT } from '../protocol/limits'
import { asBusyError, claimProfile } from '../profile/lock'
import { makeProfilePrivate } from '../profile/permissions'
import { decodeSignedPrekey, encodeSignedPrekey, generateSignedPrekey, type SignedPrekey } from '../ratchet'
import { keys, Store } from '../store'
import type { EpochPolicy, StoreEpochs } from '../store/epochs'
import { readHomeLink } from '../home/device'
import type { FilesConfig } from './conversation-files'
import { Directory } from './directory'
import { Messenger } from './messenger'
import type { PrekeyPolicy } from './prekey-schedule'
import { OneTimeSupply } from './one-time-supply'
import { cleanName } from './names'
import type { MetaRecord } from './records'
import { openProfileStore } from './profile-store'
import { storedHistory } from './search-history'

export interface MessengerOptions {
  profileDir: string
  passphrase: string
  /** Absent means the public HyperDHT bootstrap; tests always pass a loopback testnet's. */
  bootstrap?: BootstrapNode[]
  /** Overrides the profile's own setting for this run. */
  lanDiscovery?: boolean
  /** The time the signed prekey schedule goes by, and the schedule (tests move and shorten them). */
  clock?: () => number
  /** How often expired messages are looked for while running (tests shorten it). */
  expiryCheckMs?: number
  prekeyPolicy?: PrekeyPolicy
  /** When the store moves to a new epoch (tests shorten it). */
  epochPolicy?: EpochPolicy
  /** False where no one can answer a call (the headless CLI): offers are answered 'unavailable'. */
  canTakeCalls?: boolean
  /**
   * Called with the messenger before it starts: its listeners hear the events of the start itself
   * (blocks that arrived before a crash and are committed now), which no one could hear afterwards.
   */
  listen?: (m: Messenger) => void
}

const FIRST_PREKEY_ID = 1

export interface CreateOptions extends MessengerOptions {
  name: string
  /**
   * An existing identity (restored from a backup) instead of a new one. The storage key is always
   * new: the logs it derives are new, so none of the old device's logs, which contacts still hold,
   * is ever rewritten from block 0.
   */
  identity?: IdentityKeyPair
}

/** Creates a profile (a new identity unless one is given) in an empty (or absent) folder and opens it. */
export async function createProfile(opts: CreateOptions): Promise<Messenger> {
  await cryptoReady()
  await mkdir(opts.profileDir, { recursive: true, mode: 0o700 })
  const { keystore } = profileLayout(opts.profileDir)
  const release = claimProfile(opts.profileDir)
  try {
    const name = cleanName(opts.name, 'name')
    await createKeystore(keystore, opts.passphrase, { identity: opts.identity ?? generateIdentity(), storageKey: randomBytes(32), name })
  } finally {
    release()
  }
  return openMessenger(opts)
}

/**
 * Opens a profile folder with its passphrase: unlocks the keystore, takes the folder's lock (a
 * second process gets CairnError('profile-busy')), opens the encrypted store and joins the network.
 */
export async function openMessenger(opts: MessengerOptions): Promise<Messenger> {
  await cryptoReady()
  const layout = profileLayout(opts.profileDir)
  const release = claimProfile(opts.profileDir)
  let corestore: Corestore | null = null
  let epochs: StoreEpochs | null = null
  try {
    const secrets = await openKeystore(layout.keystore, opts.passphrase)
    await pruneInfoLogs(storageDbDir(layout.cores))
    corestore = new Corestore(profileStorage(layout.cores), profileStoreOptions())
    await corestore.ready().catch((err: unknown) => {
      throw asBusyError(err, opts.profileDir)
    })
    let opened: Messenger | null = null
    epochs = await openProfileStore(corestore, opts.profileDir, secrets.storageKey, {
      policy: opts.epochPolicy,
      clock: opts.clock,
      onError: (err) => opened?.emit('error-log', err)
    })
    await makeProfilePrivate(opts.profileDir)
    const store = epochs.store
    const { meta, prekeys } = await loadOrInitialise(store, secrets)
    const oneTime = await OneTimeSupply.load(store, () => epochs!.advance())
    const lanDiscovery = opts.lanDiscovery ?? meta.lanDiscovery
    const directory = new Directory()
    const network = new Network({
      keyPair: secrets.identity,
      bootstrap: opts.bootstrap,
      classify: (remoteKey) => directory.classify(remoteKey),
      hidden: meta.hidden ?? false
    })
    const homeLink = await readHomeLink(opts.profileDir)
    const files = await filesConfig(layout.scratch, meta.autoDownloadBytes)
    opened = new Messenger({
      secrets,
      corestore,
      store,
      epochs,
      meta,
      prekeys,
      oneTime,
      directory,
      network,
      lanDiscovery,
      lanPinned: opts.lanDiscovery === false,
      files,
      clock: opts.clock,
      expiryCheckMs: opts.expiryCheckMs,
      prekeyPolicy: opts.prekeyPolicy,
      canTakeCalls: opts.canTakeCalls,
      homeLink,
      bootstrap: opts.bootstrap,
      profileDir: opts.profileDir
    })
    opened.once('closed', release)
    opts.listen?.(opened)
    try {
      await opened.start()
      void opened.finder.build(storedHistory(directory, store))
    } catch (err) {
      await opened.close()
      throw err
    }
    return opened
  } catch (err) {
    if (epochs) await epochs.close().catch(() => undefined)
    if (corestore) await corestore.close().catch(() => undefined)
    release()
    throw CairnError.from(err)
  }
}

/**
 * Files on their way out live in the profile's scratch folder (owner-only); what a crash left there
 * is of no use to anyone, so it starts empty.
 */
async function filesConfig(scratch: string, autoDownloadBytes = DEFAULT_AUTO_DOWNLOAD.maxBytes): Promise<FilesConfig> {
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true, mode: 0o700 })
  return { scratch, maxBytes: MAX_FILE_BYTES_DEFAULT, autoDownload: { ...DEFAULT_AUTO_DOWNLOAD, maxBytes: autoDownloadBytes } }
}

/** The profile's meta record and prekeys; written on first open (so a crash during creation heals). */
async function loadOrInitialise(store: Store, secrets: KeystoreSecrets): Promise<{ meta: MetaRecord; prekeys: Map<number, SignedPrekey> }> {
  let meta = await store.getJson<MetaRecord>(keys.meta())
  if (!meta) {
    const fresh: MetaRecord = { name: secrets.name, lanDiscovery: true, createdAt: Date.now(), prekeyId: FIRST_PREKEY_ID }
    const prekey = generateSignedPrekey(secrets.identity, FIRST_PREKEY_ID)
    await store.write((tx) => {
      tx.putJson(keys.meta(), fresh)
      tx.put(keys.prekey(FIRST_PREKEY_ID), encodeSignedPrekey(prekey))
    })
    meta = fresh
  }
  const prekeys = new Map<number, SignedPrekey>()
  for await (const { value } of store.range(keys.prekeys())) {
    const prekey = decodeSignedPrekey(value)
    prekeys.set(prekey.id, prekey)
  }
  if (!prekeys.has(meta.prekeyId)) throw new CairnError('corrupt-profile', 'the current prekey is missing from the store')
  // LAN discovery is on unless the user turned it off.
  if (!meta.lanChosen) meta = { ...meta, lanDiscovery: true }
  return { meta, prekeys }
}
