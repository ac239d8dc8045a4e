// Messages with a chosen MIME shape, for the structure-bound tests.

export const HEAD = 'From: a@b.test\r\nTo: c@d.test\r\nSubject: shape\r\n'

/** A message whose multiparts nest `levels` deep, a text part at the bottom. */
export function nested(levels: number, nl = '\r\n'): string {
  let open = ''
  let close = ''
  for (let i = 0; i < levels; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"${nl}${nl}--b${i}${nl}`
    close = `${nl}--b${i}--${nl}${close}`
  }
  return `${HEAD}${open}Content-Type: text/plain${nl}${nl}hello${close}`.replaceAll('\r\n', nl)
}

/** One multipart holding `n` text parts. */
export function wide(n: number): string {
  const parts = Array.from({ length: n }, (_, i) => `--w\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`)
  return `${HEAD}Content-Type: multipart/mixed; boundary=w\r\n\r\n${parts.join('')}--w--\r\n`
}
