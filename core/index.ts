export { CairnHost, type HostOptions } from './host/host'
export { CairnError } from './api/errors'
export type * from './api/types'
export { Messenger, createProfile, openMessenger, type MessengerOptions } from './messenger'
