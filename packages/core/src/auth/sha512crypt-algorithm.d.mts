/** SHA-512 crypt of `password` with `salt` (at most 16 characters used); rounds unchecked. */
export function computeSha512Crypt(password: string, salt: string, rounds?: number): string
