import type { ContactRecord } from './records'

/**
 * Their receipts are written to the store at most this often: a write per receipt would queue in
 * front of my next send. They are re-sent on every connect, so a crash loses none for good.
 */
const RECEIPT_SAVE_MS = 1000

/** A contact's receipts as heard: ahead of the record until saved. */
export class Receipts {
  private delivered: number
  private read: number
  private saveTimer: NodeJS.Timeout | null = null

  constructor(rec: ContactRecord) {
    this.delivered = rec.delivered
    this.read = rec.read
  }

  /** Blocks of my log below these are delivered / read. */
  get heard(): { delivered: number; read: number } {
    return { delivered: this.delivered, read: this.read }
  }

  /** Takes a receipt up to a block; returns the first block it newly covers, or null if it says nothing new. */
  hear(kind: 'delivered' | 'read', upTo: number): number | null {
    const from = kind === 'read' ? this.read : this.delivered
    if (upTo + 1 <= from) return null
    if (kind === 'read') this.read = upTo + 1
    this.delivered = Math.max(this.delivered, upTo + 1)
    return from
  }

  /** Saves once, a while after the first receipt not yet saved. */
  scheduleSave(save: () => void): void {
    if (this.saveTimer) return
    this.saveTimer = setTimeout(save, RECEIPT_SAVE_MS)
    this.saveTimer.unref()
  }

  cancelSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
  }

  /** The change to the record that saving them makes, or null if the record already holds them. */
  patch(r: ContactRecord): Partial<ContactRecord> | null {
    if (this.delivered <= r.delivered && this.read <= r.read) return null
    return { delivered: Math.max(r.delivered, this.delivered), read: Math.max(r.read, this.read) }
  }
}
