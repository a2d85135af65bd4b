import type {
  CairnApi,
  CairnEvent,
  Contact,
  ContactId,
  ContactRequest,
  Message,
  NetworkStatus,
  Profile,
  SecurityEvent,
  SyncProgress
} from '../../../core/api/types'
import { CallController } from './call/controller.svelte'
import { Conversation } from './conversation.svelte'
import { readWhole, saveBlob, uploadFile } from './file-transfer'
import { fileRoutePath } from '../../../core/api/bridge'
import { isVoiceNote, playableType, type Recording } from './voice'
import { Groups } from './groups.svelte'

/** A typing indicator without a fresh event fades after this long, in case the "stopped" event was lost. */
const TYPING_TTL_MS = 8_000

/**
 * Everything the unlocked app shows, kept current from API events. Components read it; only the
 * API changes it (through calls whose events land here).
 */
export class Session {
  me = $state<Profile | null>(null)
  contacts = $state.raw<Contact[]>([])
  requests = $state.raw<ContactRequest[]>([])
  network = $state<NetworkStatus | null>(null)
  typing = $state.raw<ReadonlySet<ContactId>>(new Set())
  sync = $state.raw<ReadonlyMap<ContactId, SyncProgress>>(new Map())
  security = $state.raw<SecurityEvent[]>([])
  /** The most recent incoming message, for the live region and notifications. */
  lastIncoming = $state.raw<Message | null>(null)
  readonly #conversations = new Map<ContactId, Conversation>()
  readonly #typingTimers = new Map<ContactId, ReturnType<typeof setTimeout>>()
  /** Each contact's sends (texts and files), chained so messages leave in the order they were written. */
  readonly #outbox = new Map<ContactId, Promise<unknown>>()
  /** What is typed but not sent, per conversation, kept while other views are open. */
  readonly #drafts = new Map<ContactId, string>()
  readonly #fileUrls = new Map<string, string>()
  readonly #fileBlobs = new Map<string, Promise<Blob>>()

  readonly calls: CallController
  readonly groups: Groups

  constructor(
    readonly api: CairnApi,
    playoutWorklet = ''
  ) {
    this.calls = new CallController(api, playoutWorklet)
    this.groups = new Groups(api)
  }

  async load(): Promise<void> {
    const [me, contacts, requests, network] = await Promise.all([
      this.api.profile(),
      this.api.contacts(),
      this.api.requests(),
      this.api.network()
    ])
    this.me = me
    this.contacts = contacts
    this.requests = requests
    this.network = network
    await this.groups.load()
  }

  /**
   * Re-reads everything after a reconnection, since events were missed while away. Typing and
   * catch-up progress are forgotten: fresh events bring them back if they still hold.
   */
  async refresh(): Promise<void> {
    this.dispose()
    this.typing = new Set()
    this.sync = new Map()
    await Promise.all([this.load(), ...[...this.#conversations.values()].map((c) => c.refresh())])
  }

  conversation(contact: ContactId): Conversation {
    let c = this.#conversations.get(contact)
    if (!c) {
      c = new Conversation(this.api, contact)
      this.#conversations.set(contact, c)
    }
    return c
  }

  contact(id: ContactId): Contact | undefined {
    return this.contacts.find((c) => c.id === id)
  }

  /**
   * Sends after the contact's earlier sends, and shows the message once the core has it; its later
   * states arrive as events. A refused send does not hold back the ones after it.
   */
  send(contact: ContactId, text: string, replyTo?: string): Promise<void> {
    return this.#inOrder(contact, () => (replyTo === undefined ? this.api.send(contact, text) : this.api.send(contact, text, replyTo)))
  }

  /** My reaction to a message ('' withdraws it); the message comes back as it now stands. */
  async react(contact: ContactId, id: string, emoji: string): Promise<void> {
    this.conversation(contact).upsert(await this.api.react(contact, id, emoji))
  }

  /** A new text for one of my messages; the message comes back as it now stands. */
  async edit(contact: ContactId, id: string, text: string): Promise<void> {
    this.conversation(contact).upsert(await this.api.edit(contact, id, text))
  }

  draft(contact: ContactId): string {
    return this.#drafts.get(contact) ?? ''
  }

  setDraft(contact: ContactId, text: string): void {
    if (text) this.#drafts.set(contact, text)
    else this.#drafts.delete(contact)
  }

  /** Sends each picked file as its own message, in order, after the contact's earlier sends. */
  async sendFiles(contact: ContactId, files: File[]): Promise<void> {
    await Promise.all(files.map((file) => this.#inOrder(contact, () => uploadFile(this.api, contact, file))))
  }

  /**
   * Where the page shows a file that is here: in Electron, the app scheme's file route (range
   * requests, so a long video starts at once); elsewhere a blob: URL made once per message.
   */
  async fileUrl(message: Message): Promise<string> {
    if (window.cairn) return fileRoutePath(message.contact, message.id)
    let url = this.#fileUrls.get(message.id)
    if (!url) {
      url = URL.createObjectURL(await this.fileBlob(message))
      this.#fileUrls.set(message.id, url)
    }
    return url
  }

  /** The bytes of a file that is here, read once per message; a voice note typed as its container, for the player. */
  fileBlob(message: Message): Promise<Blob> {
    let blob = this.#fileBlobs.get(message.id)
    if (!blob) {
      const mediaType = message.file!.mediaType
      blob = readWhole(this.api, message.contact, message).then((b) => (isVoiceNote(mediaType) ? b.slice(0, b.size, playableType(mediaType)) : b))
      blob.catch(() => this.#fileBlobs.delete(message.id))
      this.#fileBlobs.set(message.id, blob)
    }
    return blob
  }

  /** Sends a recorded voice note, in order with the messages before it. */
  sendVoiceNote(contact: ContactId, r: Recording): Promise<void> {
    const file = new File([r.blob], r.name, { type: r.blob.type })
    return this.#inOrder(contact, () => uploadFile(this.api, contact, file, undefined, r.mediaType))
  }

  /** The file of a message to another contact (its sealed chunks copied by the node). */
  forwardFile(message: Message, to: ContactId): Promise<void> {
    return this.#inOrder(to, () => this.api.forwardFile(message.contact, message.id, to))
  }

  /** Electron asks where with the system's dialog; a browser offers a download. */
  async saveFile(message: Message): Promise<void> {
    if (window.cairn) await window.cairn.saveFile(message.contact, message.id)
    else {
      // readFile authenticates each chunk; the whole file's hash is checked by the node first
      await this.api.verifyFile(message.contact, message.id)
      saveBlob(message.file!.name, await readWhole(this.api, message.contact, message))
    }
  }

  /** Whether the shell can open a file with the system's application (Electron only). */
  get canOpenFiles(): boolean {
    return window.cairn !== undefined
  }

  async openFile(message: Message): Promise<void> {
    await window.cairn?.openFile(message.contact, message.id)
  }

  #inOrder(contact: ContactId, write: () => Promise<Message>): Promise<void> {
    const sent = (this.#outbox.get(contact) ?? Promise.resolve())
      .catch(() => undefined)
      .then(write)
      .then((message) => {
        this.conversation(contact).upsert(message)
        this.#preview(message)
      })
    this.#outbox.set(contact, sent)
    return sent
  }

  apply(e: CairnEvent): void {
    switch (e.type) {
      case 'message':
        this.#conversations.get(e.message.contact)?.upsert(e.message)
        // a deletion for everyone, a timer change or a call line is no new message: nothing to
        // announce (a call rang on its own), and the contact's own event brings the list its preview
        if (e.message.deleted || e.message.timer !== undefined || e.message.call) break
        this.#preview(e.message)
        if (e.message.direction === 'in') {
          this.lastIncoming = e.message
          this.#setTyping(e.message.contact, false)
        }
        break
      case 'message-state':
        this.#conversations.get(e.contact)?.setState(e.id, e.state)
        break
      case 'messages-deleted':
        this.#conversations.get(e.contact)?.remove(e.ids)
        break
      case 'file-progress':
        this.#conversations.get(e.progress.contact)?.applyProgress(e.progress)
        break
      case 'contact':
        this.contacts = upsertBy(this.contacts, e.contact, (c) => c.id)
        break
      case 'contact-removed':
        this.contacts = this.contacts.filter((c) => c.id !== e.id)
        this.#conversations.delete(e.id)
        this.#drafts.delete(e.id)
        break
      case 'request':
        this.requests = upsertBy(this.requests, e.request, (r) => r.id)
        break
      case 'request-removed':
        this.requests = this.requests.filter((r) => r.id !== e.id)
        break
      case 'typing':
        this.#setTyping(e.contact, e.typing)
        break
      case 'network':
        this.network = e.status
        break
      case 'security':
        this.security = [...this.security, e.event]
        break
      case 'sync': {
        const next = new Map(this.sync)
        if (e.progress.done >= e.progress.total) next.delete(e.progress.contact)
        else next.set(e.progress.contact, e.progress)
        this.sync = next
        break
      }
      case 'profile':
        this.me = e.profile
        break
      case 'locked':
        break
      case 'call':
      case 'call-ended':
      case 'media':
      case 'keyframe-request':
      case 'call-quality':
        this.calls.apply(e)
        break
      case 'group':
      case 'group-message':
      case 'group-receipts':
        this.groups.apply(e)
        break
    }
  }

  dismissSecurity(contact: ContactId): void {
    this.security = this.security.filter((s) => s.contact !== contact)
  }

  dispose(): void {
    for (const timer of this.#typingTimers.values()) clearTimeout(timer)
    this.#typingTimers.clear()
  }

  /** Keeps the list's preview and order current even before the core's own contact update lands. */
  #preview(m: Message): void {
    const contact = this.contact(m.contact)
    if (!contact || m.sentAt < (contact.lastMessage?.at ?? 0)) return
    const at = Math.max(m.sentAt, m.receivedAt)
    this.contacts = upsertBy(
      this.contacts,
      { ...contact, lastMessage: { direction: m.direction, text: m.text, at: m.sentAt }, lastActivity: Math.max(contact.lastActivity, at) },
      (c) => c.id
    )
  }

  #setTyping(contact: ContactId, typing: boolean): void {
    clearTimeout(this.#typingTimers.get(contact))
    this.#typingTimers.delete(contact)
    if (typing) this.#typingTimers.set(contact, setTimeout(() => this.#setTyping(contact, false), TYPING_TTL_MS))
    if (typing === this.typing.has(contact)) return
    const next = new Set(this.typing)
    if (typing) next.add(contact)
    else next.delete(contact)
    this.typing = next
  }
}

function upsertBy<T>(list: readonly T[], item: T, key: (x: T) => string): T[] {
  const k = key(item)
  const i = list.findIndex((x) => key(x) === k)
  if (i === -1) return [...list, item]
  const next = list.slice()
  next[i] = item
  return next
}
