import type { NetworkStatus } from '../api/types'
import { joinLan, type Lan } from '../lan'
import type { MessengerContext } from './context'

/** Discovery on the local link, turned on and off while the profile runs, and the network status it shapes. */
export class LanSwitch {
  private on: boolean
  private lan: Lan | null = null
  private change: Promise<void> = Promise.resolve()
  private lastStatus = ''

  constructor(
    private readonly ctx: MessengerContext,
    on: boolean
  ) {
    this.on = on
  }

  /** Joins the link at open if the profile asks for it. */
  async start(): Promise<void> {
    if (this.on) await this.join()
  }

  async toggle(on: boolean): Promise<void> {
    // Toggles take effect in the order they were asked for, never two at once.
    this.change = this.change.catch(() => undefined).then(() => (on ? this.join() : this.leave()))
    await this.change
    this.emitStatus()
  }

  status(): NetworkStatus {
    const { mode, peers } = this.ctx.network.status()
    let contactsOnline = 0
    for (const c of this.ctx.conversations.values()) if (c.peer) contactsOnline++
    // The LAN DHT always knows this host's own storage node, so 'lan' alone does not mean another
    // node is there: with none heard and no connection open, the node reaches no one. An open
    // connection counts too, since discovery can forget a node (a late advert) while its link lives.
    const alone = mode === 'lan' && (this.lan?.nodes ?? 0) === 0 && peers === 0
    return { mode: alone ? 'offline' : mode, peers, contactsOnline, lanDiscovery: this.on }
  }

  /** Reports the network status when it differs from the last one reported. */
  emitStatus(): void {
    const status = this.status()
    const text = JSON.stringify(status)
    if (text === this.lastStatus) return
    this.lastStatus = text
    this.ctx.emitEvent({ type: 'network', status })
  }

  /** Waits out a toggle under way. */
  async settle(): Promise<void> {
    await this.change.catch(() => undefined)
  }

  /** Leaves the link for good, once the network over it is closed. */
  async close(): Promise<void> {
    if (this.lan) await this.lan.close()
  }

  /**
   * Runs the network on the local link too; a link without a usable interface leaves the node on
   * the internet alone, with lanDiscovery reported off.
   */
  private async join(): Promise<void> {
    if (this.lan || this.ctx.closing) return
    this.on = true
    try {
      const lan = await joinLan(this.ctx.network)
      this.lan = lan
      lan.on('peers', () => this.emitStatus())
    } catch (err) {
      this.on = false
      this.ctx.logError(err)
    }
  }

  /** Stops advertising and drops the connections that ran over the link; internet ones stay. */
  private async leave(): Promise<void> {
    this.on = false
    const lan = this.lan
    if (!lan) return
    this.lan = null
    await this.ctx.network.removeDht(lan.dht)
    await lan.close()
  }
}
