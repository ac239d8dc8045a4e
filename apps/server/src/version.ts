/** The server's version, as `mailfront --version` and the docs show it. */
export const VERSION = '0.1.0'
