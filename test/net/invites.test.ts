import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlFrame, RequestFrame } from '../../core/net'
import { randomBytes } from '../../core/crypto'
import { decodeInvite, encodeInvite, INVITE_SECRET_BYTES } from '../../core/protocol/invite'
import { CairnError } from '../../core/api/errors'
import { Harness, keyPair, never, nextPeer, until } from '../helpers/net'

describe('invite codes', () => {
  it('round-trip, and a mistyped, truncated or foreign code is refused with a reason', () => {
    const invite = { inviter: keyPair().publicKey, secret: randomBytes(INVITE_SECRET_BYTES) }
    const code = encodeInvite(invite)
    expect(code).toMatch(/^cairn-invite:[a-z0-9]+$/)
    expect(decodeInvite(` ${code}\n`)).toEqual(invite)
    const last = code.at(-1) === 'y' ? 'o' : 'y'
    expect(() => decodeInvite(code.slice(0, -1) + last)).toThrow(/checksum|truncated/)
    expect(() => decodeInvite(code.slice(0, -4))).toThrow(/truncated/)
    expect(() => decodeInvite(code.replace('cairn-invite:', ''))).toThrow(/does not start/)
    expect(() => decodeInvite('cairn-invite:!!')).toThrow(CairnError)
  })
})

describe('a hidden node reached through a one-time invite', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it('the first request through the invite arrives; the invitee connects as a contact once accepted; a second use is refused', async () => {
    const inviter = await h.node({ hidden: true })
    const invitee = await h.node()
    const secret = randomBytes(INVITE_SECRET_BYTES)
    await inviter.net.openInvite(secret, 60_000)
    const requests: [Buffer, RequestFrame][] = []
    inviter.net.on('request', (from: Buffer, request: RequestFrame) => {
      requests.push([from, request])
      inviter.setClass(from, 'contact')
      inviter.net.reclassify(from)
    })
    invitee.setClass(inviter.keyPair.publicKey, 'contact')
    const peers = Promise.all([nextPeer(invitee.net), nextPeer(inviter.net)])
    invitee.net.sendRequest(inviter.keyPair.publicKey, { name: 'Grace', bundle: null }, secret)
    const [toInviter, toInvitee] = await peers
    expect(requests).toHaveLength(1)
    expect(requests[0][0].equals(invitee.keyPair.publicKey)).toBe(true)
    expect(toInviter.remoteKey.equals(inviter.keyPair.publicKey)).toBe(true)
    const got: ControlFrame[] = []
    toInviter.on('frame', (frame: ControlFrame) => got.push(frame))
    toInvitee.send({ type: 'typing', typing: true })
    await until(() => got.length === 1, 'a frame over the invited connection')

    const second = await h.node()
    second.net.sendRequest(inviter.keyPair.publicKey, { name: 'Eve', bundle: null }, secret)
    await never(() => requests.length > 1, 'a second request through a used invite', 3_000)
  })

  it('an expired invite takes no request', async () => {
    const inviter = await h.node({ hidden: true })
    const invitee = await h.node()
    const secret = randomBytes(INVITE_SECRET_BYTES)
    await inviter.net.openInvite(secret, 1)
    let requests = 0
    inviter.net.on('request', () => requests++)
    invitee.net.sendRequest(inviter.keyPair.publicKey, { name: 'Late', bundle: null }, secret)
    await never(() => requests > 0, 'a request through an expired invite', 3_000)
  })

  it('without an invite, a request to a hidden node never arrives', async () => {
    const inviter = await h.node({ hidden: true })
    const stranger = await h.node()
    let requests = 0
    inviter.net.on('request', () => requests++)
    stranger.net.sendRequest(inviter.keyPair.publicKey, { name: 'Stranger', bundle: null })
    await never(() => requests > 0, 'a request to a hidden inbox', 3_000)
  })
})
