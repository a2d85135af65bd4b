// Decides when the app asks for the user's attention: a desktop notification for an incoming
// message unless its conversation is on screen in the focused window, one for an incoming call
// unless the window is focused (the call screen shows it), and the unread total for the badge and tray. Free of Electron so it is tested in plain Node.
import type { CairnEvent, ContactId } from '../core/api/types'
import type { ApiHost } from '../core/host/dispatch'

export interface AttentionSinks {
  notify(title: string, body: string, contact: ContactId): void
  setUnread(total: number): void
  isFocused(): boolean
}

export interface Attention {
  viewing(contact: ContactId | null): void
  close(): void
}

const PREVIEW_CHARS = 120
// Bursts of events (a catch-up of hundreds of messages) become one contacts() query.
const REFRESH_DELAY_MS = 150

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat
}

export function watchAttention(host: ApiHost, sinks: AttentionSinks): Attention {
  const names = new Map<ContactId, string>()
  let open: ContactId | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let closed = false
  let lastTotal = -1

  function publish(total: number): void {
    if (total === lastTotal) return
    lastTotal = total
    sinks.setUnread(total)
  }

  async function refresh(): Promise<void> {
    timer = null
    try {
      const contacts = await host.contacts()
      if (closed) return
      names.clear()
      for (const c of contacts) names.set(c.id, c.name)
      publish(contacts.reduce((sum, c) => sum + (c.blocked ? 0 : c.unread), 0))
    } catch {
      // Locked or no profile yet: nothing is unread that the user could see.
      if (!closed) publish(0)
    }
  }

  function scheduleRefresh(): void {
    if (timer === null && !closed) timer = setTimeout(() => void refresh(), REFRESH_DELAY_MS)
  }

  function onEvent(event: CairnEvent): void {
    switch (event.type) {
      case 'message': {
        const { message } = event
        // a deletion for everyone or a timer change arrives as a message event too, and is no new message
        const fresh = !message.deleted && message.timer === undefined
        if (message.direction === 'in' && fresh && !(sinks.isFocused() && open === message.contact)) {
          sinks.notify(names.get(message.contact) ?? 'New message', preview(message.text), message.contact)
        }
        scheduleRefresh()
        break
      }
      case 'call':
        // An incoming call rings even when the window is hidden or unfocused.
        if (event.call.direction === 'in' && event.call.phase === 'ringing' && !sinks.isFocused()) {
          sinks.notify(names.get(event.call.contact) ?? 'Incoming call', event.call.video ? 'Incoming video call' : 'Incoming call', event.call.contact)
        }
        break
      case 'contact':
        names.set(event.contact.id, event.contact.name)
        scheduleRefresh()
        break
      case 'contact-removed':
      case 'profile':
      case 'locked':
        scheduleRefresh()
        break
      default:
        break
    }
  }

  host.on('event', onEvent)
  scheduleRefresh()

  return {
    viewing(contact) {
      open = contact
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      host.off('event', onEvent)
    }
  }
}
