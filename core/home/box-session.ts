// One connection to the box and what its remote may ask. The role is looked up again for every
// request from the stream's Noise-authenticated key, so an unlink or a revoked grant applies at once:
//   owner (a paired device): everything about its own profile, and nothing about another's;
//   guest (a contact granted by an owner): replicating exactly the logs it was granted;
//   stranger: pairing with a code, fetching a published bundle, leaving a sealed request;
//   revoked device: told so, nothing else.
import type { NoiseSecretStream } from 'hyperdht'
import { HomeError } from './errors'
import type { Keeper } from './keeper'
import type { Registry, Role } from './registry'
import { HomeChannel } from './rpc-channel'
import type { HomeReply, HomeRequest } from './wire'

export interface SessionDeps {
  boxKey: Buffer
  registry: Registry
  keeper: Keeper
  now(): number
  onPaired(profile: string): void
  /** Resolves once the inbox topic is announced, so a contact looking it up finds the box. */
  onPublished(): Promise<void>
  onRefused(op: string, err: HomeError): void
  /** Unlinks the profile and drops its device's other connections; this one ends after the reply. */
  unlink(profile: string, asking: NoiseSecretStream): Promise<void>
}

const OWNER_OPS = new Set<HomeRequest['op']>(['keep', 'drop', 'grant', 'ungrant', 'publish', 'supply', 'ack', 'requests', 'status', 'unlink'])
const DONE: HomeReply = { op: 'done' }

export function serveConnection(stream: NoiseSecretStream, deps: SessionDeps, onProtocolError: (reason: string) => void): HomeChannel {
  const remote = Buffer.from(stream.remotePublicKey)
  return new HomeChannel(
    stream,
    async (request) => {
      try {
        return await answer(remote, stream, request, deps)
      } catch (err) {
        if (err instanceof HomeError) deps.onRefused(request.op, err)
        throw err
      }
    },
    {
      onProtocolError,
      onReplied: (request, reply) => {
        if (request.op === 'unlink' && reply.op === 'done') stream.end()
      }
    }
  )
}

async function roleOf(remote: Buffer, deps: SessionDeps): Promise<Role> {
  return (await deps.registry.ownerOf(remote)) ?? deps.registry.roleOf(remote)
}

async function answer(remote: Buffer, stream: NoiseSecretStream, request: HomeRequest, deps: SessionDeps): Promise<HomeReply> {
  const role = await roleOf(remote, deps)
  if (role.kind === 'revoked') throw new HomeError('revoked', 'this device was unlinked from the home node')
  switch (request.op) {
    case 'pair': {
      const { profile, record } = await deps.registry.pair(remote, deps.boxKey, request.codeId, request.proof, deps.now())
      deps.onPaired(profile)
      return { op: 'paired', profile: Buffer.from(profile, 'hex'), quota: record.quota, expireDays: record.expireDays }
    }
    case 'want':
      return want(role, stream, request.logKey.toString('hex'), deps)
    case 'bundle':
      return { op: 'bundle', ...(await deps.registry.takeBundle(request.inbox)) }
    case 'deposit':
      await deps.registry.deposit(request.inbox, request.sealed, deps.now())
      return DONE
  }
  if (role.kind !== 'owner' || !OWNER_OPS.has(request.op)) {
    throw new HomeError('not-paired', 'only a device paired with this home node may ask it to keep or serve anything')
  }
  return ownerRequest(role, stream, request, deps)
}

function want(role: Role, stream: NoiseSecretStream, log: string, deps: SessionDeps): HomeReply {
  const allowed =
    (role.kind === 'owner' && deps.keeper.isKept(role.profile, log)) ||
    (role.kind === 'guest' && [...role.grants].some(([profile, logs]) => logs.has(log) && deps.keeper.isKept(profile, log)))
  if (!allowed) {
    if (role.kind === 'stranger') throw new HomeError('not-paired', 'this home node serves nothing to strangers')
    throw new HomeError('not-granted', 'this home node serves you only the logs its owner granted you')
  }
  deps.keeper.attach(log, stream)
  return DONE
}

async function ownerRequest(
  role: Extract<Role, { kind: 'owner' }>,
  stream: NoiseSecretStream,
  request: HomeRequest,
  deps: SessionDeps
): Promise<HomeReply> {
  const { profile, record } = role
  switch (request.op) {
    case 'keep':
      await deps.keeper.keep(profile, record, request.logKey, deps.now())
      return DONE
    case 'drop':
      await deps.keeper.drop(profile, request.logKey.toString('hex'))
      return DONE
    case 'grant':
      for (const log of request.logs) {
        if (!deps.keeper.isKept(profile, log.toString('hex'))) throw new HomeError('not-granted', 'a profile can grant only logs the box keeps for it')
      }
      await deps.registry.grant(profile, request.guest, request.logs)
      return DONE
    case 'ungrant':
      await deps.registry.ungrant(profile, request.guest)
      return DONE
    case 'publish':
      await deps.registry.publish(profile, request.inbox, request.bundle, request.oneTime)
      await deps.onPublished()
      return DONE
    case 'supply':
      return { op: 'supplied', held: await deps.registry.supply(profile, request.oneTime) }
    case 'ack':
      await deps.keeper.ack(profile, request.logKey.toString('hex'), request.upTo, deps.now())
      return DONE
    case 'requests':
      return { op: 'requests', items: await deps.registry.takeRequests(profile, request.forgetUpTo) }
    case 'status':
      return { op: 'status', ...(await profileStatus(profile, deps)) }
    case 'unlink':
      await deps.unlink(profile, stream)
      return DONE
    default:
      throw new HomeError('malformed', `unexpected request ${request.op}`)
  }
}

export async function profileStatus(profile: string, deps: Pick<SessionDeps, 'registry' | 'keeper'>) {
  const owner = (await deps.registry.profiles()).find((p) => p.profile === profile)
  if (owner === undefined) throw new HomeError('no-profile', 'no such profile on this home node')
  const logs = (await deps.keeper.logsOf(profile)).length
  return {
    bytes: await deps.keeper.held(profile),
    quota: owner.record.quota,
    logs,
    requests: await deps.registry.countRequests(profile),
    expireDays: owner.record.expireDays,
    overQuota: deps.keeper.isOverQuota(profile)
  }
}
