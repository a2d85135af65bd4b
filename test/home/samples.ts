// Fixed inputs for the frozen home-node formats: the same values always encode to the bytes in
// test/fixtures/home/, and those bytes always decode back to them.
import type { HomeFrame } from '../../core/home/wire'
import type { RecordKind, RecordOf } from '../../core/home/records'

const k = (n: number) => Buffer.alloc(32, n)
const id = (n: number) => Buffer.alloc(16, n)

export const FRAMES: Record<string, HomeFrame> = {
  pair: { kind: 'request', id: 1, request: { op: 'pair', codeId: id(1), proof: k(2) } },
  keep: { kind: 'request', id: 2, request: { op: 'keep', logKey: k(3) } },
  drop: { kind: 'request', id: 3, request: { op: 'drop', logKey: k(3) } },
  grant: { kind: 'request', id: 4, request: { op: 'grant', guest: k(4), logs: [k(3), k(5)] } },
  ungrant: { kind: 'request', id: 5, request: { op: 'ungrant', guest: k(4) } },
  publish: { kind: 'request', id: 6, request: { op: 'publish', inbox: k(6), bundle: Buffer.from('bundle'), oneTime: [Buffer.from('otp1')] } },
  ack: { kind: 'request', id: 7, request: { op: 'ack', logKey: k(3), upTo: 300 } },
  requests: { kind: 'request', id: 8, request: { op: 'requests', forgetUpTo: 2 } },
  status: { kind: 'request', id: 9, request: { op: 'status' } },
  unlink: { kind: 'request', id: 10, request: { op: 'unlink' } },
  want: { kind: 'request', id: 11, request: { op: 'want', logKey: k(3) } },
  bundle: { kind: 'request', id: 12, request: { op: 'bundle', inbox: k(6) } },
  deposit: { kind: 'request', id: 13, request: { op: 'deposit', inbox: k(6), sealed: Buffer.from('sealed') } },
  supply: { kind: 'request', id: 14, request: { op: 'supply', oneTime: [Buffer.from('otp2'), Buffer.from('otp3')] } },
  'reply-paired': { kind: 'reply', id: 1, reply: { op: 'paired', profile: id(7), quota: 1 << 30, expireDays: 30 } },
  'reply-status': {
    kind: 'reply',
    id: 9,
    reply: { op: 'status', bytes: 1234, quota: 5000, logs: 2, requests: 1, expireDays: 30, overQuota: false }
  },
  'reply-requests': { kind: 'reply', id: 8, reply: { op: 'requests', items: [{ seq: 3, sealed: Buffer.from('s3') }] } },
  'reply-bundle': { kind: 'reply', id: 12, reply: { op: 'bundle', bundle: Buffer.from('bundle'), oneTime: null } },
  'reply-done': { kind: 'reply', id: 2, reply: { op: 'done' } },
  'reply-error': { kind: 'reply', id: 2, reply: { op: 'error', code: 'quota-exceeded', message: 'full' } },
  'reply-supplied': { kind: 'reply', id: 14, reply: { op: 'supplied', held: 21 } }
}

export const RECORDS: { [K in RecordKind]: RecordOf<K> } = {
  profile: { device: k(8), quota: 1 << 30, expireDays: 30, createdAt: 1_764_547_200_000, nextSeq: 4 },
  code: { secret: id(9), expiresAt: 1_764_633_600_000, quota: 1000, expireDays: 7 },
  log: { addedAt: 1_764_547_200_000, ackedUpTo: 10, ackedAt: 1_764_550_000_000, clearedUpTo: 5, clearedBytes: 5000, fetchedUpTo: 12, fetchedBytes: 12000 },
  grant: { logs: [k(3)] },
  prekeys: { inbox: k(6), bundle: Buffer.from('sealed-bundle'), oneTime: [Buffer.from('a'), Buffer.from('b')] },
  request: { receivedAt: 1_764_547_200_000, sealed: Buffer.from('sealed-request') },
  revoked: { at: 1_764_547_200_000 }
}

export const LINK = { boxKey: k(10), salt: id(11), profile: id(12) }
export const BOX_SEED = k(13)
/** Written as version 1 (one envelope); read today as block 0 and that envelope. */
export const INTRODUCTION_V1 = { identity: k(17), name: 'Carol', logKey: k(18), home: k(19), from: 0, envelopes: [Buffer.from('first envelope')] }
export const INTRODUCTION = { identity: k(17), name: 'Carol', logKey: k(18), home: k(19), from: 2, envelopes: [Buffer.from('third'), Buffer.from('fourth')] }
export const HOME_FRAME = { type: 'home' as const, box: k(20) }
export const PAIRING_CODE = { boxKey: k(14), codeId: id(15), secret: id(16) }
