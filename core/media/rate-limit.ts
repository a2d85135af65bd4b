// A token bucket in packets and bytes. It runs before any decoding or decryption, so a peer that
// floods datagrams costs one comparison per excess datagram and cannot take the event loop from the
// chat traffic on the same connection.
export interface RateLimits {
  packetsPerSecond: number
  bytesPerSecond: number
  /** How many seconds of traffic may arrive at once (a keyframe's burst of fragments). */
  burstSeconds: number
}

export class TokenBucket {
  private packets: number
  private bytes: number
  private last: number

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now()
  ) {
    this.packets = limits.packetsPerSecond * limits.burstSeconds
    this.bytes = limits.bytesPerSecond * limits.burstSeconds
    this.last = now()
  }

  /** Takes one packet of `size` bytes; false when either budget is spent (the packet is to be dropped). */
  take(size: number): boolean {
    const t = this.now()
    const elapsed = Math.max(0, (t - this.last) / 1000)
    this.last = t
    const { packetsPerSecond, bytesPerSecond, burstSeconds } = this.limits
    this.packets = Math.min(packetsPerSecond * burstSeconds, this.packets + elapsed * packetsPerSecond)
    this.bytes = Math.min(bytesPerSecond * burstSeconds, this.bytes + elapsed * bytesPerSecond)
    if (this.packets < 1 || this.bytes < size) return false
    this.packets -= 1
    this.bytes -= size
    return true
  }
}
