// Group chats: one append-only log per member per group (a Hypercore only that member can write,
// holding signed ciphertext only), Sender Keys for the messages, signed membership operations, and
// one order that every member computes from the blocks alone.
//
// Blocks (entry.ts) are signed by the author's Ed25519 identity and carry their causal predecessors
// (the lengths and hashes of the other logs the author had delivered). A member delivers a block
// only after its predecessors (history.ts), keeps a vector clock and a Lamport number per block, and
// shows blocks in (Lamport, log key, seq) order: causal, with a deterministic tie-break. Membership
// (membership.ts) is a pure function of the delivered blocks in that order, so two members holding
// the same blocks hold the same group, the same messages and the same order, after any partition.
//
// Why not Autobase. Autobase linearises the same kind of causal DAG of Hypercores into a view core
// and settles the order by a quorum of indexers; it is the better tool for a large shared database.
// For a chat whose shared state is a small member list it brings what we would have to work around:
//  - its order is only final once a majority of indexers have acknowledged it, and a writer who is
//    offline holds that up; we need an order every member can compute alone, now, from what it holds;
//  - encryption there is one key for the whole base, rotated by an entry in the view; removals and
//    rotations can interleave so a just-removed writer receives the rotated key (its ENCRYPTION.md
//    describes exactly this), and there is no per-message forward secrecy;
//  - writers are added and removed by the application's apply() on the linearised view, which can
//    be reordered (the view is truncated and reapplied) as concurrent blocks arrive, while we want a
//    removal's cryptographic effect (fresh sender keys, fresh group secret) to happen once, at once;
//  - a second, large dependency in the security core whose wire format we would not control.
// The simpler causal DAG keeps one format we pin with fixtures and rules we can state in a page.
//
// Why Sender Keys and not MLS (RFC 9420, `ts-mls`). MLS gives O(log n) removals with post-compromise
// security for the whole group, but it needs one agreed order of commits, i.e. a server or a
// consensus, which a swarm with members offline for days does not have; and ts-mls is unaudited.
// Sender Keys (as Signal and WhatsApp) cost the sender O(1) per message and O(n) per removal, which
// is cheap at the ~100 members we target, and work with any delivery order.
//
// Sender keys travel sealed over a Double Ratchet session per pair of members kept for the group
// layer (ratchet-sealer.ts, started from the recipient's signed prekey), not over the pair's 1:1 chat
// session: that session's state is committed together with the consumption of the pair's own logs,
// and sharing it with blocks read from group logs in another order would tie the two atomic steps
// together. The cost is one more session per pair, and members need not be contacts.
//
// Weaknesses, stated:
//  - Every block carries its author's identity signature and the Hypercore append signs again, so a
//    group message costs the sender two signatures: crypto alone ~2.4× a 1:1 encrypt-and-sign, end
//    to end with the real Hypercore append ~1.5× a 1:1 send (bench/groups.bench.ts). One signature
//    would do only with the log key bound to the member by the member (a signature in the accept,
//    carried by the add): as the format stands the identity signature is what stops an admin from
//    binding a log of their own to someone else's identity and writing as them, what authenticates
//    the creator's first block (the genesis' creator log comes from an invitation, not the group
//    id), and what makes fork evidence checkable by anyone apart from the Hypercore. ~14 µs (about
//    a tenth of the end-to-end cost) does not buy giving those up; kept. My blocks of one write go
//    in one Hypercore append (feed.ts), so a sender key block costs no second log signature.
//  - Before its own addition reaches it, a new member admits anyone on the secret topic (swarm.ts).
//  - A removed member can read messages written concurrently with the removal (by members who had not
//    seen it yet); nothing after a member has seen the removal is readable to them.
//  - Forward secrecy per message, but healing only at rotation: whoever steals a member's current
//    sender chain reads that member's messages until the next removal or the weekly rotation.
//  - The order of concurrent blocks can change when a block concurrent with shown ones arrives late
//    (any causal order without a consensus has this); the set of messages and membership converge.
//  - Of two admins acting concurrently, the tie-break decides (e.g. two admins removing each other:
//    the one ordered first wins, the other's removal is refused as concurrent with their own removal).
//    The tie-break favours the smaller log key, and a member could grind log keys to win ties.
//  - A removed member's log is still read (its blocks can be predecessors of other members' blocks),
//    so until the feed stops following it, it can still grow others' disks, one bounded block at a time.
//  - A log named by any delivered add is followed, even when the add is refused (refusal can change
//    as concurrent blocks arrive, and others may already reference that log): a non-admin member can
//    make the others fetch a log they serve themselves, though none of its blocks is accepted.
//  - A log whose block the group refuses (a fork, a full backlog) stops being read by the feed until
//    it is opened again.
//  - A member who saw a different version of a log (a fork) stops being delivered from by those who
//    hold the other version; the fork is reported with proof (forks.ts) but not repaired.
//  - A member's keys and decrypted texts persist as a snapshot (snapshot.ts) and the sealer's sessions
//    as their own blob, both for the caller to store encrypted and to write together with what the
//    group appended; that atomic step is the messenger's, not this module's.
export { Group, type GroupMessage, type GroupOptions, type GroupSecurityEvent, type Invitation, type TimelineItem } from './group'
export { GroupChannel, decodeChannelFrame, encodeChannelFrame, type GroupChannelFrame, type Lengths } from './channel'
export { GroupSwarm } from './swarm'
export { encodeInvite, decodeInvite, encodeAccept, decodeAccept, encodeRemoved, decodeRemoved, signalKind, type Invite, type Accept } from './invite'
export { GroupError, type GroupErrorCode } from './errors'
export { decodeEntry, encodeEntry, MAX_ENTRY_BYTES, MAX_MEMBERS, type Entry, type Op } from './entry'
export { verifyForkEvidence, type ForkEvidence } from './forks'
export { groupIdOf, type Genesis, type Member } from './membership'
export { RatchetSealer } from './ratchet-sealer'
export { GroupFeed, openGroupLog, type FeedProblem } from './feed'
export type { Sealer } from './share'
export { groupTopic, currentTopics, topicPeriod, TOPIC_PERIOD_MS } from './topic'
export { SENDER_KEY_MAX_AGE_MS } from './sender-key'
export { decodeSnapshot, encodeSnapshot, type GroupSnapshot } from './snapshot'
