// Decides when the app asks for the user's attention: a desktop notification for an incoming
// message unless its conversation is muted or on screen in the focused window, one for an incoming
// call unless the window is focused (the call screen shows it), each showing only what the user's
// notification setting allows (the page tells it; until then neither name nor text), and the unread
// total for the badge and tray. Free of Electron so it is tested in plain Node.
import { callNote, messageNote, UNTOLD_PREFS, type NotificationPrefs } from '../core/api/notification'
import type { CairnEvent, ContactId } from '../core/api/types'
import type { ApiHost } from '../core/host/dispatch'

export interface AttentionSinks {
  notify(title: string, body: string, contact: ContactId): void
  setUnread(total: number): void
  isFocused(): boolean
}

export interface Attention {
  viewing(contact: ContactId | null): void
  preferences(prefs: NotificationPrefs): void
  close(): void
}

// Bursts of events (a catch-up of hundreds of messages) become one contacts() query.
const REFRESH_DELAY_MS = 150

export function watchAttention(host: ApiHost, sinks: AttentionSinks): Attention {
  const names = new Map<ContactId, string>()
  let open: ContactId | null = null
  let prefs = UNTOLD_PREFS
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
        const looking = sinks.isFocused() && open === message.contact
        const note = messageNote(message, names.get(message.contact) ?? 'A contact', prefs, looking)
        if (note) sinks.notify(note.title, note.body, message.contact)
        scheduleRefresh()
        break
      }
      case 'call': {
        // An incoming call rings even when the window is hidden or unfocused.
        const note = sinks.isFocused() ? null : callNote(event.call, names.get(event.call.contact) ?? 'A contact', prefs)
        if (note) sinks.notify(note.title, note.body, event.call.contact)
        break
      }
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
    preferences(next) {
      prefs = next
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      host.off('event', onEvent)
    }
  }
}
