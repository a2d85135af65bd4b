// CallStream over a real call between two Networks: whole frames both ways, keyframe requests, and
// the path reports (round trip, loss, bitrate) with and without datagrams being dropped.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CallStream, VIDEO_BITRATE, type CallQuality } from '../../core/media/call-stream'
import type { MediaFrame } from '../../core/media/fragments'
import { Harness, until } from '../helpers/net'
import { callPair, ring } from './call-pair'

let h: Harness
beforeEach(async () => {
  h = new Harness()
  await h.start()
})
afterEach(() => h.stop())

async function streams() {
  const { alice, bob } = await callPair(h)
  const { a, b } = await ring(alice, bob)
  b.leg.accept(true)
  await until(() => a.media !== null && b.media !== null, 'active')
  const sa = new CallStream(a.media!)
  const sb = new CallStream(b.media!)
  return { alice, bob, sa, sb }
}

const video = (seq: number, size: number): MediaFrame => ({ stream: 'video', keyframe: seq % 30 === 0, seq, timestampUs: seq * 33_333, data: Buffer.alloc(size, seq & 0xff) })

it('carries whole frames of any size, keyframe requests, and reports a round trip with no loss', async () => {
  const { sa, sb } = await streams()
  try {
    const got: MediaFrame[] = []
    sb.on('frame', (f: MediaFrame) => got.push(f))
    const asked: string[] = []
    sa.on('keyframe', (s: string) => asked.push(s))
    const sizes = [10, 1100, 1101, 40_000, 3]
    sizes.forEach((size, seq) => sa.sendFrame(video(seq, size)))
    sb.requestKeyframe('video')
    await until(() => got.length === sizes.length && asked.length === 1, 'frames and keyframe request')
    expect(got.map((f) => f.data.byteLength)).toEqual(sizes)
    expect(got[3]).toEqual(video(3, 40_000))
    let quality: CallQuality | null = null
    sa.on('quality', (q: CallQuality) => (quality = q))
    await until(() => quality !== null && quality.rttMs !== null, 'a report with a round trip', 5_000)
    expect(quality!.loss).toBe(0)
    expect(quality!.rttMs).toBeGreaterThanOrEqual(0)
    expect(quality!.rttMs).toBeLessThan(1_000)
  } finally {
    sa.close()
    sb.close()
  }
})

it('reports loss when datagrams are dropped, and lowers the video bitrate', async () => {
  const { alice, sa, sb } = await streams()
  const send = alice.peer.stream.trySend.bind(alice.peer.stream)
  let n = 0
  alice.peer.stream.trySend = (buffer: Buffer) => {
    if (n++ % 4 !== 0) send(buffer)
  }
  try {
    let quality: CallQuality | null = null
    sa.on('quality', (q: CallQuality) => (quality = q))
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++) sa.sendFrame(video(n + i, 500))
    }, 20)
    await until(() => quality !== null && quality.loss > 0.1, 'loss reported', 8_000)
    clearInterval(pump)
    expect(quality!.loss).toBeGreaterThan(0.15)
    expect(quality!.loss).toBeLessThan(0.35)
    expect(quality!.videoBitrate).toBeLessThan(VIDEO_BITRATE.start)
  } finally {
    sa.close()
    sb.close()
  }
})

it('on a lossy path sends a video keyframe of several datagrams again, and delivers it once even when a first copy is lost', async () => {
  const { alice, sa, sb } = await streams()
  const send = alice.peer.stream.trySend.bind(alice.peer.stream)
  // every fourth datagram lost until Bob's report tells Alice the path loses packets
  let n = 0
  let lossy = true
  let big = 0
  alice.peer.stream.trySend = (buffer: Buffer) => {
    if (lossy) return void (n++ % 4 !== 0 && send(buffer))
    // then media datagrams only (probes and reports are small): the keyframe's first fragment 1 is lost
    if (buffer.byteLength < 200 || big++ !== 1) send(buffer)
  }
  try {
    const reported = { loss: 0 }
    sa.on('quality', (q: CallQuality) => (reported.loss = q.loss))
    for (let seq = 1; reported.loss < 0.05; seq++) {
      sa.sendFrame({ stream: 'audio', keyframe: true, seq, timestampUs: seq * 20_000, data: Buffer.alloc(80) })
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (seq > 500) throw new Error('no report of the loss')
    }
    lossy = false
    const got: MediaFrame[] = []
    sb.on('frame', (f: MediaFrame) => f.stream === 'video' && got.push(f))
    sa.sendFrame(video(0, 5_000))
    sa.sendFrame(video(1, 5_000))
    await until(() => got.length === 2, 'the keyframe and the next frame')
    expect(got[0]).toEqual(video(0, 5_000))
    // three rounds of the keyframe (over 5 % loss), one of the delta frame; and at most the lost
    // fragment twice more (a lossy path), when Bob's nack for it (sent as soon as the gap shows) reaches Alice
    const rounds = 3 * Math.ceil(5_000 / 1100) + Math.ceil(5_000 / 1100)
    expect(big).toBeGreaterThanOrEqual(rounds)
    expect(big).toBeLessThanOrEqual(rounds + 2)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(got.map((f) => f.seq)).toEqual([0, 1])
  } finally {
    sa.close()
    sb.close()
  }
})

it('repairs a video frame whose fragments were lost by sending them again, and delivers the frames in order', async () => {
  const { alice, sa, sb } = await streams()
  const send = alice.peer.stream.trySend.bind(alice.peer.stream)
  // lost once: frame 1's second fragment of two, frame 2's first and last of three (media datagrams 5, 6 and 8)
  let big = 0
  alice.peer.stream.trySend = (buffer: Buffer) => {
    if (buffer.byteLength < 200) return send(buffer)
    big++
    if (![5, 6, 8].includes(big)) send(buffer)
  }
  try {
    const got: MediaFrame[] = []
    sb.on('frame', (f: MediaFrame) => got.push(f))
    const frames = [video(1, 1500), video(2, 3000), video(3, 500), video(4, 500), video(5, 500)].map((f) => ({ ...f, keyframe: false }))
    sa.sendFrame({ ...video(0, 3000), keyframe: true })
    for (const f of frames) sa.sendFrame(f)
    await until(() => got.length === 6, 'every frame, repaired')
    expect(got.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5])
    expect(got[2]).toEqual(frames[1])
    expect(sb.repairStats()).toMatchObject({ repaired: 2, lost: 0 })
  } finally {
    sa.close()
    sb.close()
  }
})
