export { Network } from './network'
export type { NetworkStatusSummary, NodeCounter } from './status'
export { Peer } from './peer'
export type { NetworkOptions, NetworkLimits, PeerClass, Refusal } from './types'
export {
  type ControlFrame,
  type RequestFrame,
  type ReceiptKind,
  FrameError,
  encodeControlFrame,
  decodeControlFrame,
  encodeRequestFrame,
  decodeRequestFrame,
  CONTROL_PROTOCOL,
  INBOX_PROTOCOL,
  MAX_NAME_CHARS,
  MAX_BUNDLE_BYTES,
  MAX_FRAME_BYTES
} from './frames'
export { pairDays, inboxTopic, dayOf, DAY_MS, type PairDay, type PairSide } from '../protocol/topics'
export { signHello, verifyHello } from './hello'
