import { encodeSignedPrekey } from '../ratchet'
import { keys } from '../store'
import type { MessengerContext } from './context'
import { DEFAULT_PREKEY_POLICY, prekeyChanges, type PrekeyPolicy } from './prekey-schedule'

/** How often the signed prekey schedule is checked while a profile stays open. */
const PREKEY_CHECK_MS = 60 * 60 * 1000

/** Follows the signed prekey schedule while the profile is open: at open, hourly, and when asked. */
export class PrekeyRotation {
  private timer: NodeJS.Timeout | null = null
  private run: Promise<void> = Promise.resolve()
  private readonly clock: () => number
  private readonly policy: PrekeyPolicy

  constructor(
    private readonly ctx: MessengerContext,
    clock?: () => number,
    policy?: PrekeyPolicy
  ) {
    this.clock = clock ?? Date.now
    this.policy = policy ?? DEFAULT_PREKEY_POLICY
  }

  async start(): Promise<void> {
    await this.rotate()
    this.timer = setInterval(() => this.ctx.guard(() => this.rotate()), PREKEY_CHECK_MS)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
  }

  rotate(): Promise<void> {
    // One run at a time: two at once would each make a prekey with the same id.
    this.run = this.run.catch(() => undefined).then(() => this.follow())
    return this.run
  }

  /** A new prekey when the current one is due, announced to contacts; replaced ones deleted once past their grace. */
  private async follow(): Promise<void> {
    const { ctx } = this
    const { created, deleted } = prekeyChanges(ctx.identity, ctx.prekeys, ctx.meta.prekeyId, this.clock(), this.policy)
    if (!created && deleted.length === 0) return
    const meta = created ? { ...ctx.meta, prekeyId: created.id } : ctx.meta
    await ctx.store.write((tx) => {
      if (created) {
        tx.put(keys.prekey(created.id), encodeSignedPrekey(created))
        tx.putJson(keys.meta(), meta)
      }
      for (const id of deleted) tx.del(keys.prekey(id))
    })
    ctx.meta = meta
    if (created) ctx.prekeys.set(created.id, created)
    for (const id of deleted) ctx.prekeys.delete(id)
    // A deleted prekey secret must leave the disk, not only the live store.
    if (deleted.length > 0) await ctx.epochs.advance()
    if (!created) return
    const bundle = ctx.myBundle()
    for (const c of ctx.conversations.values()) {
      if (c.rec.blocked) continue
      if (c.peer) c.peer.send({ type: 'prekeys', bundle })
      // A request still on its way carries the bundle too; the network sends the newest one.
      if (c.rec.requested) ctx.network.sendRequest(c.pk, ctx.myRequest())
    }
  }
}
