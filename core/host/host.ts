// The top of the core: the CairnApi over one profile folder, locked or unlocked. Every call enters
// through methods generated from the API's method table, which check its arguments once (see
// checked.ts) and then run either a lifecycle step here or the same-named method of the open
// Messenger.
import { EventEmitter } from 'node:events'
import { access } from 'node:fs/promises'
import { CairnError } from '../api/errors'
import type { ApiMethod, AppState, CairnApi, CairnEvent, Profile } from '../api/types'
import { API_METHODS } from '../api/validate'
import { changeKeystorePassphrase, importBackup, openKeystore } from '../identity'
import { createProfile, openMessenger, type Messenger } from '../messenger'
import type { BootstrapNode } from '../profile/bootstrap'
import { profileLayout } from '../profile/layout'
import { checkedApi, CHECKS_ARGUMENTS, type ChecksArguments } from './checked'
import { PassphraseGuard } from './passphrase-guard'

export interface HostOptions {
  profileDir: string
  bootstrap?: BootstrapNode[]
  lanDiscovery?: boolean
  /** False where no one can answer a call (the headless CLI); default true. */
  canTakeCalls?: boolean
  /** The time the profile goes by (disappearing messages, prekeys, store epochs); tests move it. */
  clock?: () => number
  /** How often expired messages are looked for while running; tests shorten it. */
  expiryCheckMs?: number
}

/** API methods the host runs itself: they open, close or replace the messenger. */
type Lifecycle = 'state' | 'create' | 'restore' | 'unlock' | 'lock' | 'changePassphrase'
const LIFECYCLE: ReadonlySet<ApiMethod> = new Set<Lifecycle>(['state', 'create', 'restore', 'unlock', 'lock', 'changePassphrase'])

/**
 * Every other API method runs on the open messenger, under the messenger's name where it differs,
 * or on the part of it that serves calls, files, the home node or the message events, under the API's name.
 */
type OnMessenger = Exclude<ApiMethod, Lifecycle>
/**
 * Forwarded methods that reveal a secret or destroy a conversation's history for good: their first
 * argument is the current passphrase, which the host proves against the keystore before the
 * messenger sees the rest, so a stolen session (a web page's credential, an unlocked window left
 * alone) can neither take the identity nor wipe the history. (changePassphrase proves it itself.)
 */
const PROVES_PASSPHRASE = ['exportIdentity', 'removeContact', 'clearConversation'] as const satisfies readonly OnMessenger[]
type Proving = (typeof PROVES_PASSPHRASE)[number]
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never
type ForwardedArgs<M extends OnMessenger> = M extends Proving ? Tail<Parameters<CairnApi[M]>> : Parameters<CairnApi[M]>
const MESSENGER_NAMES = { requests: 'listRequests', network: 'networkStatus', replayMessages: 'replay' } as const
type MessengerName<M extends OnMessenger> = M extends keyof typeof MESSENGER_NAMES ? (typeof MESSENGER_NAMES)[M] : M
type MessengerPart = 'calls' | 'files' | 'home' | 'erasure' | 'groups' | 'journal' | 'finder'
const PART_OF = {
  startCall: 'calls',
  acceptCall: 'calls',
  declineCall: 'calls',
  hangup: 'calls',
  sendMedia: 'calls',
  requestKeyframe: 'calls',
  sendFile: 'files',
  beginUpload: 'files',
  uploadPiece: 'files',
  sendUpload: 'files',
  downloadFile: 'files',
  cancelDownload: 'files',
  saveFile: 'files',
  verifyFile: 'files',
  readFile: 'files',
  forwardFile: 'files',
  fileInfo: 'files',
  homeNode: 'home',
  linkHomeNode: 'home',
  unlinkHomeNode: 'home',
  deleteMessage: 'erasure',
  clearConversation: 'erasure',
  deleteForEveryone: 'erasure',
  setDisappearing: 'erasure',
  groups: 'groups',
  createGroup: 'groups',
  inviteToGroup: 'groups',
  removeFromGroup: 'groups',
  leaveGroup: 'groups',
  renameGroup: 'groups',
  sendToGroup: 'groups',
  groupHistory: 'groups',
  markGroupRead: 'groups',
  groupReceipts: 'groups',
  replayMessages: 'journal',
  search: 'finder'
} as const satisfies Partial<Record<OnMessenger, MessengerPart>>
type Target<M extends OnMessenger> = M extends keyof typeof PART_OF ? Messenger[(typeof PART_OF)[M]] : Messenger
// A missing member is unknown, never a function, so the check below fails on it.
type MemberOf<T, K> = K extends keyof T ? T[K] : unknown

/** The forwarded methods whose counterpart takes their arguments and returns their result. */
type Forwardable = {
  [M in OnMessenger]: MemberOf<Target<M>, MessengerName<M>> extends (
    ...args: ForwardedArgs<M>
  ) => Awaited<ReturnType<CairnApi[M]>> | ReturnType<CairnApi[M]>
    ? M
    : never
}[OnMessenger]

// Typed as Forwardable so a messenger method that is missing or changes shape fails to compile.
const FORWARDED: readonly Forwardable[] = API_METHODS.filter((m): m is OnMessenger => !LIFECYCLE.has(m))

/**
 * What every shell holds: the CairnApi over one profile folder, locked or unlocked. Every call's
 * arguments are checked as if they came from an untrusted transport; calls that need an open
 * profile reject with CairnError('locked'); create/unlock/lock/close run one at a time.
 * Emits 'event' (CairnEvent).
 */
export interface CairnHost extends CairnApi {}

export class CairnHost extends EventEmitter implements ChecksArguments {
  // Set with the generated methods in the constructor.
  declare readonly [CHECKS_ARGUMENTS]: true
  private messenger: Messenger | null = null
  private lifecycle: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly guard = new PassphraseGuard()
  private readonly forward = (e: CairnEvent) => this.emit('event', e)
  // Failures inside the node that no caller awaits (a peer's input, a background append): the node
  // carries on, and the reason goes to the local log.
  private readonly logFailure = (err: unknown) => console.error('cairn:', err instanceof Error ? err.message : err)

  constructor(private readonly opts: HostOptions) {
    super()
    Object.assign(this, checkedApi({ ...this.lifecycleSteps(), ...this.forwards() }))
  }

  /** Locks and refuses every later call; what a shell calls on exit. */
  close(): Promise<void> {
    const run = this.lifecycle.then(async () => {
      this.closed = true
      await this.detach()
    })
    this.lifecycle = run.catch(() => undefined)
    return run
  }

  private lifecycleSteps(): Pick<CairnApi, Lifecycle> {
    return {
      state: async (): Promise<AppState> => {
        const m = this.messenger
        if (m) return { profile: 'unlocked', me: m.profile() }
        return { profile: (await this.hasProfile()) ? 'locked' : 'none', me: null }
      },
      create: (name, passphrase) =>
        this.serially(async () => {
          await this.refuseExisting()
          return this.attach(await createProfile({ ...this.messengerOptions(passphrase), name }))
        }),
      restore: (backup, backupPassphrase, name, passphrase) =>
        this.serially(async () => {
          await this.refuseExisting()
          // Opened before anything touches the folder, so a wrong passphrase or a damaged text leaves it as it was.
          const { identity } = await importBackup(backup, backupPassphrase)
          return this.attach(await createProfile({ ...this.messengerOptions(passphrase), name, identity }))
        }),
      unlock: (passphrase) =>
        this.guard.run(() =>
          this.serially(async () => {
            if (this.messenger) return this.messenger.profile()
            return this.attach(await openMessenger(this.messengerOptions(passphrase)))
          })
        ),
      lock: () =>
        this.serially(async () => {
          if (!this.messenger) return
          await this.detach()
          this.emit('event', { type: 'locked' } satisfies CairnEvent)
        }),
      changePassphrase: async (current, next) => {
        this.open()
        await this.guard.run(() => changeKeystorePassphrase(profileLayout(this.opts.profileDir).keystore, current, next))
      }
    }
  }

  private forwards(): Pick<CairnApi, OnMessenger> {
    const names: Partial<Record<OnMessenger, string>> = MESSENGER_NAMES
    const parts: Partial<Record<OnMessenger, MessengerPart>> = PART_OF
    const proving: ReadonlySet<OnMessenger> = new Set(PROVES_PASSPHRASE)
    const entries = FORWARDED.map((method) => {
      const name = names[method] ?? method
      const part = parts[method]
      return [
        method,
        async (...args: unknown[]) => {
          const m = this.open()
          const target = (part ? m[part] : m) as unknown as Record<string, (...a: unknown[]) => unknown>
          if (!proving.has(method)) return target[name].apply(target, args)
          await this.provePassphrase(args[0] as string)
          return target[name].apply(target, args.slice(1))
        }
      ]
    })
    return Object.fromEntries(entries) as Pick<CairnApi, OnMessenger>
  }

  /** Rejects with 'wrong-passphrase' unless it opens this profile's keystore. */
  private async provePassphrase(passphrase: string): Promise<void> {
    await this.guard.run(() => openKeystore(profileLayout(this.opts.profileDir).keystore, passphrase))
  }

  private async refuseExisting(): Promise<void> {
    if (this.messenger || (await this.hasProfile())) throw new CairnError('profile-exists', 'this folder already holds a profile')
  }

  private open(): Messenger {
    if (this.closed) throw new CairnError('locked', 'this host is closed')
    if (!this.messenger) throw new CairnError('locked', 'the profile is locked; unlock it first')
    return this.messenger
  }

  private messengerOptions(passphrase: string) {
    const { profileDir, bootstrap, lanDiscovery, canTakeCalls, clock, expiryCheckMs } = this.opts
    const listen = (m: Messenger) => {
      m.on('event', this.forward)
      m.on('error-log', this.logFailure)
    }
    return { profileDir, bootstrap, lanDiscovery, canTakeCalls, clock, expiryCheckMs, passphrase, listen }
  }

  /** Takes a started messenger, whose events the host has forwarded since before it started. */
  private attach(m: Messenger): Profile {
    this.messenger = m
    return m.profile()
  }

  private async detach(): Promise<void> {
    const m = this.messenger
    if (!m) return
    this.messenger = null
    m.off('event', this.forward)
    m.off('error-log', this.logFailure)
    await m.close()
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(() => {
      if (this.closed) throw new CairnError('locked', 'this host is closed')
      return fn()
    })
    this.lifecycle = run.catch(() => undefined)
    return run
  }

  private async hasProfile(): Promise<boolean> {
    try {
      await access(profileLayout(this.opts.profileDir).keystore)
      return true
    } catch {
      return false
    }
  }
}
