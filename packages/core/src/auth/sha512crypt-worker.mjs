// A worker of the SHA-512 crypt pool (sha512crypt.ts): one hash per task, off the event loop.
import { computeSha512Crypt } from './sha512crypt-algorithm.mjs'

export default ({ password, salt, rounds }) => computeSha512Crypt(password, salt, rounds)
