// Membership as a function of the delivered history: the signed operations are applied in the
// display order (history.ts), each checked against the state built so far:
//   create   only block 0 of the creator's log, for the group id its nonce commits to;
//   add      an admin adds a non-member (at most MAX_MEMBERS); the member's log is named in the op;
//   remove   an admin removes a member (themselves included); promote: an admin makes a member admin;
//   leave    a member leaves; rename: an admin renames.
// One rule for concurrency on top: a block written concurrently with the accepted removal of its
// author (neither causally before nor after it) is refused, whatever the tie-break put first. So a
// removed member cannot backdate an operation or a message to before their removal by leaving the
// removal out of its heads, and of two admins removing each other at once, the one ordered first
// wins. Whether a removal is accepted can depend on that rule in turn; the evaluation repeats until
// the set of accepted removals stops changing (bounded, and deterministic either way).
import { blake2b, isEd25519PublicKey } from '../crypto'
import { MAX_MEMBERS, MAX_NAME_BYTES, type Op } from './entry'
import { precedes, type Node } from './history'
import { GROUP_ID as GROUP_ID_TAG } from '../protocol/caps'

const MAX_PASSES = 8

export function groupIdOf(creator: Uint8Array, nonce: Uint8Array): Buffer {
  return blake2b(32, Buffer.concat([creator, nonce]), GROUP_ID_TAG)
}

export interface Member {
  identity: Buffer
  log: Buffer
  admin: boolean
}

export interface Refusal {
  node: Node
  reason: string
}

export interface GroupState {
  name: string
  members: Map<string, Member>
  /** The logs of the current members. */
  logs: Set<string>
  /** Accepted removals and leaves, in order: each starts a new sender key generation. */
  removals: Node[]
  /** The accepted blocks (operations and messages) in display order. */
  accepted: Node[]
  refused: Refusal[]
  created: boolean
  creatorLog: number
  /** The removals whose concurrent blocks by the removed member this evaluation refuses. */
  cutoffs: Node[]
}

export interface Genesis {
  group: Buffer
  creator: Buffer
  creatorLog: Buffer
}

function hex(b: Buffer): string {
  return b.toString('hex')
}

type Verdict = string | null

/** Point validation costs ~0.2 ms; the group is evaluated again after every change, the keys only once. */
const keyChecks = new WeakMap<Node, boolean>()

function validKey(node: Node, key: Buffer): boolean {
  let valid = keyChecks.get(node)
  if (valid === undefined) keyChecks.set(node, (valid = isEd25519PublicKey(key)))
  return valid
}

function checkOp(state: GroupState, node: Node, op: Op, genesis: Genesis, logs: Buffer[]): Verdict {
  const author = state.members.get(hex(node.entry.author))
  if (op.type === 'create') {
    if (state.created || node.entry.seq !== 0 || !node.entry.author.equals(genesis.creator)) return 'a second or misplaced create'
    if (!logs[node.writer].equals(genesis.creatorLog)) return "the create is not in the creator's log"
    return groupIdOf(node.entry.author, op.nonce).equals(genesis.group) ? null : 'the create does not match the group id'
  }
  if (!author) return 'the author is not a member'
  if (op.type === 'leave') return null
  if (!author.admin) return 'only admins change the group'
  if (op.type === 'rename') return Buffer.byteLength(op.name) <= MAX_NAME_BYTES ? null : 'name too long'
  const target = state.members.get(hex(op.member))
  if (op.type === 'add') {
    if (target) return 'already a member'
    if (!validKey(node, op.member)) return 'not a valid identity key'
    if (state.members.size >= MAX_MEMBERS) return `the group has ${MAX_MEMBERS} members already`
    if (state.logs.has(hex(op.log))) return "the log is another member's"
    return null
  }
  if (!target) return 'the target is not a member'
  if (op.type === 'promote' && target.admin) return 'already an admin'
  return null
}

function applyOp(state: GroupState, node: Node, op: Op, genesis: Genesis): void {
  const author = node.entry.author
  if (op.type === 'create') {
    state.name = op.name
    state.members.set(hex(author), { identity: author, log: genesis.creatorLog, admin: true })
    state.logs.add(hex(genesis.creatorLog))
  } else if (op.type === 'add') {
    state.members.set(hex(op.member), { identity: op.member, log: op.log, admin: false })
    state.logs.add(hex(op.log))
  } else if (op.type === 'remove' || op.type === 'leave') {
    const key = hex(op.type === 'remove' ? op.member : author)
    state.logs.delete(hex((state.members.get(key) as Member).log))
    state.members.delete(key)
    state.removals.push(node)
  } else if (op.type === 'promote') (state.members.get(hex(op.member)) as Member).admin = true
  else state.name = op.name
}

function removedTarget(node: Node): Buffer | null {
  const body = node.entry.body
  return body.kind === 'op' && body.op.type === 'remove' ? body.op.member : null
}

/** Whether `node` was written concurrently with an accepted removal of its author. */
function concurrentWithRemoval(node: Node, removals: Node[]): boolean {
  for (const r of removals) {
    const target = removedTarget(r)
    if (target && target.equals(node.entry.author) && !precedes(node, r) && !precedes(r, node)) return true
  }
  return false
}

/** Whether the block sits in the log its author was admitted with. */
function inOwnLog(state: GroupState, node: Node, logs: Buffer[]): boolean {
  const member = state.members.get(hex(node.entry.author))
  return member !== undefined && member.log.equals(logs[node.writer])
}

function verdictOf(state: GroupState, node: Node, genesis: Genesis, logs: Buffer[]): Verdict {
  const body = node.entry.body
  if ((node.vc[state.creatorLog] ?? 0) < 1) return 'written without the group’s create in its past'
  if (concurrentWithRemoval(node, state.cutoffs)) return 'written concurrently with its author’s removal'
  if (body.kind === 'op' && body.op.type === 'create') return checkOp(state, node, body.op, genesis, logs)
  if (!inOwnLog(state, node, logs)) return 'the author is not a member writing in their own log'
  if (body.kind === 'op') return checkOp(state, node, body.op, genesis, logs)
  return null
}

/**
 * Applies blocks that come after everything `state` has seen in the order. Only for blocks that are
 * not membership operations: an operation can change which removals stand, so it needs evaluate().
 */
export function extend(state: GroupState, nodes: Node[], genesis: Genesis, logs: Buffer[]): void {
  for (const node of nodes) {
    const verdict = verdictOf(state, node, genesis, logs)
    if (verdict !== null) {
      state.refused.push({ node, reason: verdict })
      continue
    }
    const body = node.entry.body
    if (body.kind === 'op') {
      applyOp(state, node, body.op, genesis)
      if (body.op.type === 'create') state.created = true
    }
    state.accepted.push(node)
  }
}

function pass(ordered: Node[], genesis: Genesis, logs: Buffer[], cutoffs: Node[]): GroupState {
  const state: GroupState = {
    name: '',
    members: new Map(),
    logs: new Set(),
    removals: [],
    accepted: [],
    refused: [],
    created: false,
    creatorLog: logs.findIndex((l) => l.equals(genesis.creatorLog)),
    cutoffs
  }
  extend(state, ordered, genesis, logs)
  return state
}

/** The group as every member who delivered the same blocks computes it. */
export function evaluate(ordered: Node[], genesis: Genesis, logs: Buffer[]): GroupState {
  let cutoffs: Node[] = []
  let state = pass(ordered, genesis, logs, cutoffs)
  for (let i = 1; i < MAX_PASSES; i++) {
    const next = state.removals.filter((r) => removedTarget(r) !== null)
    if (next.length === cutoffs.length && next.every((r, j) => r === cutoffs[j])) break
    cutoffs = next
    state = pass(ordered, genesis, logs, cutoffs)
  }
  return state
}
