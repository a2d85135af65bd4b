declare module 'z32' {
  export const ALPHABET: string
  /** z-base-32 text of the bytes (a string is taken as its UTF-8 bytes). */
  export function encode(input: string | Uint8Array): string
  /** The bytes of a z-base-32 string; throws on a character outside the alphabet. */
  export function decode(text: string, out?: Uint8Array): Buffer
}
