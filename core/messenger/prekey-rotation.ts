import type { Network } from '../net'
import type { Directory } from './directory'
import type { EventSink } from './events'
import { DEFAULT_PREKEY_POLICY, prekeyChanges, type PrekeyPolicy } from './prekey-schedule'
import { inviteOf } from './requests'
import type { Self } from './self'

export interface RotationDeps {
  self: Self
  directory: Directory
  network: Network
  events: EventSink
  /** Ends the store epoch, so deleted prekey secrets leave the disk. */
  erase(): Promise<void>
}

/** How often the signed prekey schedule is checked while a profile stays open. */
const PREKEY_CHECK_MS = 60 * 60 * 1000

/** Follows the signed prekey schedule while the profile is open: at open, hourly, and when asked. */
export class PrekeyRotation {
  private timer: NodeJS.Timeout | null = null
  private run: Promise<void> = Promise.resolve()
  private readonly clock: () => number
  private readonly policy: PrekeyPolicy

  constructor(
    private readonly deps: RotationDeps,
    clock?: () => number,
    policy?: PrekeyPolicy
  ) {
    this.clock = clock ?? Date.now
    this.policy = policy ?? DEFAULT_PREKEY_POLICY
  }

  async start(): Promise<void> {
    await this.rotate()
    this.timer = setInterval(() => this.deps.events.guard(() => this.rotate()), PREKEY_CHECK_MS)
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
    const { self, directory, network } = this.deps
    const { created, deleted } = prekeyChanges(self.identity, self.allPrekeys(), self.meta.prekeyId, this.clock(), this.policy)
    if (!created && deleted.length === 0) return
    await self.rotate(created, deleted)
    if (deleted.length > 0) await this.deps.erase()
    if (!created) return
    const bundle = self.bundle()
    for (const c of directory.conversations()) {
      if (c.record.blocked) continue
      c.announcePrekeys(bundle)
      // A request still on its way carries the bundle too; the network sends the newest one.
      if (c.record.requested) network.sendRequest(c.key, self.request(), inviteOf(c.record))
    }
  }
}
