export { messageNote as notificationFor } from '../../../core/api/notification'

/** The web shell notifies through the browser; Electron's main process does it for the app. */
export function browserNotifications(): boolean {
  return typeof Notification !== 'undefined' && !window.cairn
}
