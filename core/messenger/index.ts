export { Messenger } from './messenger'
export { createProfile, openMessenger, type MessengerOptions } from './open'
