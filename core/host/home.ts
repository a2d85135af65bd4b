// What the `cairn home` commands need from the core: the box (open, listen, codes, status, unlink)
// and a profile's link to one, so the CLI reaches the home node only through core/host.
export { HomeBox, createBoxKey, boxLayout, HomeError, type BoxEvent, type BoxStatus, type ProfileRules } from '../home'
export type { HomeErrorCode } from '../home/errors'
export { pairDevice, deviceStatus, unlinkDevice, readHomeLink, type DeviceOptions, type Linked } from '../home/device'
