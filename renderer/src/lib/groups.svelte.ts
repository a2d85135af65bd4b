import type { CairnApi, ContactId, GroupEvent, GroupId, GroupInfo, GroupMessage } from '../../../core/api/types'

const PAGE = 200

/** The groups list and each opened group's lines (oldest first), kept current from API events. */
export class Groups {
  list = $state.raw<GroupInfo[]>([])
  lines = $state.raw<ReadonlyMap<GroupId, GroupMessage[]>>(new Map())
  readonly #opened = new Set<GroupId>()

  constructor(private readonly api: CairnApi) {}

  async load(): Promise<void> {
    this.list = await this.api.groups()
    await Promise.all([...this.#opened].map((id) => this.#reload(id)))
  }

  get(id: GroupId): GroupInfo | undefined {
    return this.list.find((g) => g.id === id)
  }

  /** Loads a group's latest lines once; events keep them current afterwards. */
  async open(id: GroupId): Promise<void> {
    if (this.#opened.has(id)) return
    this.#opened.add(id)
    await this.#reload(id)
  }

  async create(name: string, members: ContactId[]): Promise<GroupInfo> {
    const g = await this.api.createGroup(name, members)
    this.#upsert(g)
    return g
  }

  async send(id: GroupId, text: string): Promise<void> {
    this.#addLine(await this.api.sendToGroup(id, text))
  }

  async markRead(id: GroupId): Promise<void> {
    const g = this.get(id)
    if (!g || g.unread === 0) return
    await this.api.markGroupRead(id)
    this.#upsert({ ...g, unread: 0 })
  }

  async change(call: Promise<GroupInfo>): Promise<void> {
    this.#upsert(await call)
  }

  apply(e: GroupEvent): void {
    if (e.type === 'group') this.#upsert(e.group)
    else if (e.type === 'group-message') this.#addLine(e.message)
    else if (this.#opened.has(e.group)) void this.#reload(e.group)
  }

  async #reload(id: GroupId): Promise<void> {
    const page = await this.api.groupHistory(id, { limit: PAGE })
    const next = new Map(this.lines)
    next.set(id, page.messages.slice().reverse())
    this.lines = next
  }

  #addLine(m: GroupMessage): void {
    if (!this.#opened.has(m.group)) return
    const current = this.lines.get(m.group) ?? []
    const at = current.findIndex((l) => l.id === m.id)
    const updated = at === -1 ? [...current, m] : current.map((l, i) => (i === at ? m : l))
    const next = new Map(this.lines)
    next.set(m.group, updated)
    this.lines = next
  }

  #upsert(g: GroupInfo): void {
    const i = this.list.findIndex((x) => x.id === g.id)
    this.list = i === -1 ? [...this.list, g] : this.list.map((x, j) => (j === i ? g : x))
  }
}
