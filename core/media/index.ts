// Calls: control frames on the pair's control channel, media as encrypted datagrams on the
// connection the pair already has (see ./media-link.ts for why and what was measured). Nothing here
// touches the renderer or a codec: frames go in and out as bytes, so a headless node can carry a
// call as well as the desktop app.
export { CallLeg, type CallDirection, type CallPhase, type CallEnd, type CallEndReason, type CallLegOptions } from './call-leg'
export { encodeCallFrame, decodeCallFrame, type CallFrame, type DeclineReason, type HangupReason } from './call-frames'
export { deriveCallKeys, callEphemeral, type CallKeys, type CallKeyInput, CALL_ID_BYTES } from './call-key'
export { SAS_WORDS, sasWords } from './sas-words'
export { DatagramSealer, DatagramOpener, peekDatagram, MAX_DATAGRAM_BYTES, MAX_FRAGMENT_BYTES } from './datagram'
export { encodeMediaPacket, decodeMediaPacket, type MediaPacket, type MediaFragment, type StreamKind } from './media-packet'
export { MediaLink, CallMedia, type DatagramStream, type DropReason } from './media-link'
export { MediaWireError } from './codec'
export { BoundedQueue } from './bounded-queue'
export { ReplayWindow, REPLAY_WINDOW } from './replay-window'
export { fragment, Reassembler, MAX_FRAME_BYTES, type MediaFrame } from './fragments'
export { ReceiveMeter, SendMeter, type PathQuality, type BitrateBounds } from './path-meter'
export { CallStream, type CallQuality, AUDIO_BITRATE, VIDEO_BITRATE } from './call-stream'
export { CallManager, CallError, RING_TIMEOUT_MS, RECONNECT_GRACE_MS, type CallInfo, type CallEvent, type CallManagerDeps } from './call-manager'
