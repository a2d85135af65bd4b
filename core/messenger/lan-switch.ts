import type { NetworkStatus } from '../api/types'
import { joinLan, type Lan } from '../lan'
import type { Network } from '../net'
import type { Directory } from './directory'
import type { EventSink } from './events'

export interface LanDeps {
  network: Network
  directory: Directory
  events: EventSink
}

/** Discovery on the local link, turned on and off while the profile runs, and the reporting of the network's status. */
export class LanSwitch {
  private on: boolean
  private lan: Lan | null = null
  private change: Promise<void> = Promise.resolve()
  private lastStatus = ''

  constructor(
    private readonly deps: LanDeps,
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
    let contactsOnline = 0
    for (const c of this.deps.directory.conversations()) if (c.peer) contactsOnline++
    return { ...this.deps.network.status(), contactsOnline, lanDiscovery: this.on }
  }

  /** Reports the network status when it differs from the last one reported. */
  emitStatus(): void {
    const status = this.status()
    const text = JSON.stringify(status)
    if (text === this.lastStatus) return
    this.lastStatus = text
    this.deps.events.emit({ type: 'network', status })
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
    if (this.lan || this.deps.events.closed) return
    this.on = true
    try {
      const lan = await joinLan(this.deps.network)
      this.lan = lan
      lan.on('peers', () => this.emitStatus())
    } catch (err) {
      this.on = false
      this.deps.events.logError(err)
    }
  }

  /** Stops advertising and drops the connections that ran over the link; internet ones stay. */
  private async leave(): Promise<void> {
    this.on = false
    const lan = this.lan
    if (!lan) return
    this.lan = null
    await this.deps.network.removeDht(lan.dht)
    await lan.close()
  }
}
