// What a shell needs to build HostOptions from its command line or environment, so shells reach
// the profile code only through core/host.
export { parseBootstrap, type BootstrapNode } from '../profile/bootstrap'
export { resolveProfileDir } from '../profile/paths'
