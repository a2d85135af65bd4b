export { startLan, type Lan, type LanOptions } from './lan'
export { joinLan } from './join'
