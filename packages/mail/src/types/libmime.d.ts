declare module 'libmime' {
  /** Decodes RFC 2047 encoded words ("=?UTF-8?Q?...?="). */
  export function decodeWords(value: string): string
  const libmime: { decodeWords(value: string): string }
  export default libmime
}
