import { EventEmitter } from 'node:events'
import { access } from 'node:fs/promises'
import { changeKeystorePassphrase, importBackup } from '../identity'
import { createProfile, openMessenger, type Messenger } from '../messenger'
import type { BootstrapNode } from '../profile/bootstrap'
import { profileLayout } from '../profile/layout'
import { CairnError } from './errors'
import type {
  AppState,
  CairnApi,
  CairnEvent,
  Contact,
  ContactId,
  ContactRequest,
  HistoryPage,
  HistoryQuery,
  Message,
  NetworkStatus,
  Profile,
  Settings
} from './types'
import { validateArgs } from './validate'

export interface HostOptions {
  profileDir: string
  bootstrap?: BootstrapNode[]
  lanDiscovery?: boolean
}

/**
 * What every shell holds: the CairnApi over one profile folder, locked or unlocked. Every call's
 * arguments are checked as if they came from an untrusted transport; calls that need an open
 * profile reject with CairnError('locked'); create/unlock/lock/close run one at a time.
 * Emits 'event' (CairnEvent).
 */
export class CairnHost extends EventEmitter implements CairnApi {
  private messenger: Messenger | null = null
  private lifecycle: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly forward = (e: CairnEvent) => this.emit('event', e)
  // Failures inside the node that no caller awaits (a peer's input, a background append): the node
  // carries on, and the reason goes to the local log.
  private readonly logFailure = (err: unknown) => console.error('cairn:', err instanceof Error ? err.message : err)

  constructor(private readonly opts: HostOptions) {
    super()
  }

  async state(): Promise<AppState> {
    check('state', [])
    const m = this.messenger
    if (m) return { profile: 'unlocked', me: m.profile() }
    return { profile: (await this.hasProfile()) ? 'locked' : 'none', me: null }
  }

  create(name: string, passphrase: string): Promise<Profile> {
    check('create', [name, passphrase])
    return this.serially(async () => {
      if (this.messenger || (await this.hasProfile())) throw new CairnError('profile-exists', 'this folder already holds a profile')
      return this.attach(await createProfile({ ...this.messengerOptions(passphrase), name }))
    })
  }

  restore(backup: string, backupPassphrase: string, name: string, passphrase: string): Promise<Profile> {
    check('restore', [backup, backupPassphrase, name, passphrase])
    return this.serially(async () => {
      if (this.messenger || (await this.hasProfile())) throw new CairnError('profile-exists', 'this folder already holds a profile')
      // Opened before anything touches the folder, so a wrong passphrase or a damaged text leaves it as it was.
      const { identity } = await importBackup(backup, backupPassphrase)
      return this.attach(await createProfile({ ...this.messengerOptions(passphrase), name, identity }))
    })
  }

  unlock(passphrase: string): Promise<Profile> {
    check('unlock', [passphrase])
    return this.serially(async () => {
      if (this.messenger) return this.messenger.profile()
      return this.attach(await openMessenger(this.messengerOptions(passphrase)))
    })
  }

  lock(): Promise<void> {
    check('lock', [])
    return this.serially(async () => {
      if (!this.messenger) return
      await this.detach()
      this.emit('event', { type: 'locked' } satisfies CairnEvent)
    })
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

  async profile(): Promise<Profile> {
    check('profile', [])
    return this.open().profile()
  }

  async setName(name: string): Promise<Profile> {
    check('setName', [name])
    return this.open().setName(name)
  }

  async safetyNumber(contact: ContactId): Promise<string> {
    check('safetyNumber', [contact])
    return this.open().safetyNumber(contact)
  }

  async contacts(): Promise<Contact[]> {
    check('contacts', [])
    return this.open().contacts()
  }

  async addContact(id: ContactId, name: string): Promise<Contact> {
    check('addContact', [id, name])
    return this.open().addContact(id, name)
  }

  async renameContact(id: ContactId, name: string): Promise<Contact> {
    check('renameContact', [id, name])
    return this.open().renameContact(id, name)
  }

  async deleteMessage(contact: ContactId, messageId: string): Promise<void> {
    check('deleteMessage', [contact, messageId])
    return this.open().deleteMessage(contact, messageId)
  }

  async clearConversation(contact: ContactId): Promise<void> {
    check('clearConversation', [contact])
    return this.open().clearConversation(contact)
  }

  async removeContact(id: ContactId): Promise<void> {
    check('removeContact', [id])
    return this.open().removeContact(id)
  }

  async blockContact(id: ContactId): Promise<void> {
    check('blockContact', [id])
    return this.open().blockContact(id)
  }

  async unblockContact(id: ContactId): Promise<Contact> {
    check('unblockContact', [id])
    return this.open().unblockContact(id)
  }

  async setVerified(id: ContactId, verified: boolean): Promise<Contact> {
    check('setVerified', [id, verified])
    return this.open().setVerified(id, verified)
  }

  async requests(): Promise<ContactRequest[]> {
    check('requests', [])
    return this.open().listRequests()
  }

  async acceptRequest(id: ContactId, name?: string): Promise<Contact> {
    check('acceptRequest', name === undefined ? [id] : [id, name])
    return this.open().acceptRequest(id, name)
  }

  async declineRequest(id: ContactId): Promise<void> {
    check('declineRequest', [id])
    return this.open().declineRequest(id)
  }

  async blockRequest(id: ContactId): Promise<void> {
    check('blockRequest', [id])
    return this.open().blockRequest(id)
  }

  async send(contact: ContactId, text: string): Promise<Message> {
    check('send', [contact, text])
    return this.open().send(contact, text)
  }

  async history(contact: ContactId, query?: HistoryQuery): Promise<HistoryPage> {
    check('history', query === undefined ? [contact] : [contact, query])
    return this.open().history(contact, query)
  }

  async markRead(contact: ContactId): Promise<void> {
    check('markRead', [contact])
    return this.open().markRead(contact)
  }

  async setTyping(contact: ContactId, typing: boolean): Promise<void> {
    check('setTyping', [contact, typing])
    return this.open().setTyping(contact, typing)
  }

  async network(): Promise<NetworkStatus> {
    check('network', [])
    return this.open().networkStatus()
  }

  async settings(): Promise<Settings> {
    check('settings', [])
    return this.open().settings()
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    check('updateSettings', [patch])
    return this.open().updateSettings(patch)
  }

  async changePassphrase(current: string, next: string): Promise<void> {
    check('changePassphrase', [current, next])
    this.open()
    await changeKeystorePassphrase(profileLayout(this.opts.profileDir).keystore, current, next)
  }

  async exportIdentity(backupPassphrase: string): Promise<string> {
    check('exportIdentity', [backupPassphrase])
    return this.open().exportIdentity(backupPassphrase)
  }

  private open(): Messenger {
    if (this.closed) throw new CairnError('locked', 'this host is closed')
    if (!this.messenger) throw new CairnError('locked', 'the profile is locked; unlock it first')
    return this.messenger
  }

  private messengerOptions(passphrase: string) {
    const { profileDir, bootstrap, lanDiscovery } = this.opts
    return { profileDir, bootstrap, lanDiscovery, passphrase }
  }

  private attach(m: Messenger): Profile {
    this.messenger = m
    m.on('event', this.forward)
    m.on('error-log', this.logFailure)
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

function check(method: string, args: unknown[]): void {
  validateArgs(method, args)
}
