declare module 'rache' {
  /** A bounded cache with random eviction; sub-caches made from it share its entries and bound. */
  export default class Rache {
    constructor(opts?: { maxSize?: number })
    readonly maxSize: number
    /** Entries held by this cache and every cache sharing its bound. */
    readonly globalSize: number
  }
}
