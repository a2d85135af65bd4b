// A sliding anti-replay window over per-direction packet counters (RFC 6479's bitmap, as IPsec and
// WireGuard keep one). The Noise layer under the datagrams has no replay check of its own: a copy of
// a datagram opens again there, so it is this window that drops it. Counters further back than the
// window are dropped too; at 50 audio + 30×n video packets a second, 2048 packets is several seconds,
// far beyond any jitter buffer's depth.
export const REPLAY_WINDOW = 2048

const WORD_BITS = 32
const WORDS = REPLAY_WINDOW / WORD_BITS

export class ReplayWindow {
  private highest = -1
  private readonly bits = new Uint32Array(WORDS)

  /** True when the counter is new and inside the window; it is not recorded until accept(). */
  fresh(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false
    if (counter > this.highest) return true
    if (this.highest - counter >= REPLAY_WINDOW) return false
    return (this.bits[this.word(counter)] & this.bit(counter)) === 0
  }

  /** Records a counter whose datagram authenticated; call only after fresh() said true. */
  accept(counter: number): void {
    if (counter > this.highest) {
      const advance = counter - this.highest
      if (advance >= REPLAY_WINDOW) {
        this.bits.fill(0)
      } else {
        for (let c = this.highest + 1; c < counter; c++) this.bits[this.word(c)] &= ~this.bit(c)
      }
      this.highest = counter
    }
    this.bits[this.word(counter)] |= this.bit(counter)
  }

  private word(counter: number): number {
    return Math.floor(counter / WORD_BITS) % WORDS
  }

  private bit(counter: number): number {
    return 1 << counter % WORD_BITS
  }
}
