export { indexedMessage, MessageSearch } from './message-search'
export { type IndexedMessage, TextIndex } from './text-index'
