// My messages to one contact: each send is checked and encoded on its own, and the sends that wait
// together are written, appended and reported as one batch (send-batch.ts).
import type { Message } from '../api/types'
import type { FileDescriptor } from '../blobs'
import type { ChangeSite } from './conversation-changes'
import { locate } from './message-ref'
import { Batcher } from './send-batch'
import { messagePayload, QUEUED, writeMessages, type SendRequest, type Written } from './send'

/** Sends written in one step at most: a burst goes out in steps of this many, each one append. */
const MAX_SENDS = 1024

export type SendSite = Pick<ChangeSite, 'counterpart' | 'outbox' | 'events' | 'appended' | 'commit' | 'refuseIfBlocked' | 'resumeAppends' | 'toMessage' | 'announce'>

export class ConversationSends {
  private readonly batches = new Batcher<SendRequest, Message>(MAX_SENDS, (take) => this.write(take))

  constructor(private readonly site: SendSite) {}

  /** A message (a reply to `replyTo`, a file sealed into my blob store); a used client id gets its send's message (client-ids.ts). */
  async send(text: string, extra: { replyTo?: string; file?: FileDescriptor; clientId?: string } = {}): Promise<Message> {
    const { counterpart } = this.site
    this.site.refuseIfBlocked()
    const now = Date.now()
    const located = extra.replyTo === undefined ? undefined : (await locate(counterpart, counterpart.deps.store, extra.replyTo)).ref
    // a reply to a queued message is queued behind it, and sealQueued names the quote once it has a block
    const quoted = located && located.block !== QUEUED ? located : undefined
    const payload = messagePayload(text, now, { ...(quoted ? { replyTo: quoted } : {}), ...(extra.file ? { file: extra.file } : {}) })
    return this.batches.submit({ text, payload, now, extra })
  }

  /** Writes the sends that waited together in one store step, then appends and reports them. */
  private async write(take: () => SendRequest[]): Promise<Array<Message | Error>> {
    const site = this.site
    const written = await site.commit((rec, tx) => writeMessages(site.counterpart, site.outbox, site.appended(), rec, tx, take()))
    const fresh = written.filter((w): w is Written => !(w instanceof Error) && !w.repeat)
    for (const w of fresh) if (w.envelope) site.outbox.add(w.message.block, w.envelope, w.seq)
    site.resumeAppends()
    const views = new Map<Written, Message>()
    for (const w of written) if (!(w instanceof Error)) views.set(w, site.toMessage(w.message, w.seq))
    for (const w of fresh) site.events.emit({ type: 'message', message: views.get(w) as Message, seq: w.message.eventSeq })
    if (fresh.length > 0) site.announce()
    return written.map((w) => (w instanceof Error ? w : (views.get(w) as Message)))
  }
}
