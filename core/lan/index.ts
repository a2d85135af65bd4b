export { startLan, type Lan, type LanOptions } from './lan'
export { joinLan } from './join'
export { SERVICE } from './advert'
export type { LanEndpoint } from './discovery'
