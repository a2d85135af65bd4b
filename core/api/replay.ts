// The durable sequence of message events (see CairnApi.replayMessages), part of the contract.
import type { Message } from './types'

/**
 * A message event's place in the profile's one durable sequence of message events: every change to
 * a message (it arrived, I sent it, an edit, a reaction) takes the next number when it is stored.
 * A client that has seen the events up to N gets those after N from replayMessages(N), then follows
 * the live ones; a number it has seen never comes again.
 */
export interface SequencedMessage {
  seq: number
  /** The message as it stands after that change. */
  message: Message
}

export interface MessageReplay {
  /** In sequence order; a message changed more than once since comes once, under its latest number. */
  events: SequencedMessage[]
  /** More follow: ask again after the last number. */
  more: boolean
}
