import type { CairnApi, CairnEvent } from '../core/api/types'

/**
 * What `cairn run` prints: the node's events, one JSON line each; with `--since N`, first every
 * message event after N from the store (replayMessages), then the live ones, each message event
 * once. Live events that come while the replay runs wait for it: a message event the replay showed,
 * or one it passed over because a later change (shown, or still to come live) superseded it, is
 * dropped; every other event is printed in the order it came.
 */
export class EventStream {
  private held: CairnEvent[] | null

  constructor(
    private readonly print: (event: CairnEvent) => void,
    since: number | undefined
  ) {
    this.held = since === undefined ? null : []
  }

  /** The host's event listener. */
  readonly live = (event: CairnEvent): void => {
    if (this.held) this.held.push(event)
    else this.print(event)
  }

  /** Prints the message events after `since`, then what came live meanwhile, and goes live. */
  async replay(api: Pick<CairnApi, 'replayMessages'>, since: number): Promise<void> {
    let last = since
    for (let more = true; more; ) {
      const page = await api.replayMessages(last)
      for (const { seq, message } of page.events) {
        this.print({ type: 'message', message, seq })
        last = seq
      }
      more = page.more && page.events.length > 0
    }
    const held = this.held ?? []
    this.held = null
    for (const event of held) {
      if (event.type === 'message' && event.seq !== undefined && event.seq <= last) continue
      this.print(event)
    }
  }
}
