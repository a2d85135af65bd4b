export { Network } from './network'
export type { NetworkStatusSummary, NodeCounter } from './status'
export { Peer } from './peer'
export type { NetworkOptions, NetworkLimits, PeerClass } from './types'
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
export { pairTopics, inboxTopic, type PairTopics } from '../protocol/topics'
