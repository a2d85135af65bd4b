// The group's rendezvous topic on the DHT. It comes from a group secret that only members hold, so
// an observer of the DHT sees a random-looking topic that names neither the group nor its members,
// and cannot tell that two topics belong to one group:
//   topic = BLAKE2b-256(key = "cairn/group/topic/v1", data = group secret ‖ period u32 LE)
//   period = floor(ms since epoch / TOPIC_PERIOD_MS)
// It rotates two ways. In time: a new topic every period, so an announcement seen this week does not
// link to next week's; members also look up the previous period's topic for TOPIC_OVERLAP_MS after a
// change, for clocks that disagree. On removal: the admin who removes someone picks a fresh group
// secret and seals it to the remaining members with their new sender key (share.ts), so a removed
// member cannot compute any later topic. Which secret is in force is decided like everything else in
// the group: the one in the latest admin's sender key block in the group's order (group.ts).
// Weakness: until a removal, everyone who ever was a member can compute the topic, learn the
// addresses of members who announce on it, and try to connect; the firewall (admitting only current
// members' keys) refuses them, but their presence on the topic is not hidden from them.
import { blake2b } from '../crypto'
import { GROUP_TOPIC as TOPIC_TAG } from '../protocol/caps'

export const TOPIC_PERIOD_MS = 7 * 24 * 3600 * 1000
export const TOPIC_OVERLAP_MS = 3600 * 1000
export const GROUP_SECRET_BYTES = 32

export function topicPeriod(now: number): number {
  return Math.floor(now / TOPIC_PERIOD_MS)
}

export function groupTopic(groupSecret: Uint8Array, period: number): Buffer {
  const p = Buffer.alloc(4)
  p.writeUInt32LE(period)
  return blake2b(32, Buffer.concat([groupSecret, p]), TOPIC_TAG)
}

/** The topics to announce and look up now: this period's, and the previous one's just after a change. */
export function currentTopics(groupSecret: Uint8Array, now: number): Buffer[] {
  const period = topicPeriod(now)
  const topics = [groupTopic(groupSecret, period)]
  if (now - period * TOPIC_PERIOD_MS < TOPIC_OVERLAP_MS && period > 0) topics.push(groupTopic(groupSecret, period - 1))
  return topics
}
