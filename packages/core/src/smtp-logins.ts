import type { SmtpAuth } from './mail.ts'

/** One plugin's SMTP logins, as the port asks them. */
export interface SmtpLoginSource {
  plugin: string
  auth: SmtpAuth
}

/** A login one plugin wants that another plugin already holds on the SMTP port. */
export class SmtpLoginTaken extends Error {
  constructor(
    readonly login: string,
    readonly holder: string,
  ) {
    super(`SMTP login "${login}" is already taken by ${holder}`)
    this.name = 'SmtpLoginTaken'
  }
}

/** The SMTP port's login namespace as a plugin asks it (`ctx.smtpLogins`): who else holds a login. */
export interface SmtpLoginNamespace {
  /** The id of a plugin other than `self` that holds `login`, or null. */
  takenElsewhere(login: string, self: string): Promise<string | null>
}

/**
 * The SMTP port's one login namespace over every mounted plugin: a login resolves to exactly one
 * plugin's principal. Creation paths ask `takenElsewhere` (each plugin answers with its own "already
 * exists" error); the port asks `authenticate`, which only tries the plugin holding the login.
 */
export class SmtpLogins implements SmtpLoginNamespace {
  readonly sources: SmtpLoginSource[] = []

  add(plugin: string, auth: SmtpAuth): void {
    this.sources.push({ plugin, auth })
  }

  /** The plugins holding `login`, in mount order. */
  async holders(login: string): Promise<SmtpLoginSource[]> {
    const held = await Promise.all(this.sources.map((s) => s.auth.hasLogin(login)))
    return this.sources.filter((_s, i) => held[i])
  }

  /** The id of a plugin other than `self` that holds `login`, or null. */
  async takenElsewhere(login: string, self: string): Promise<string | null> {
    for (const s of this.sources) if (s.plugin !== self && (await s.auth.hasLogin(login))) return s.plugin
    return null
  }

  /**
   * Who logs in: the one plugin holding the login checks the password. An unknown login, or one two
   * plugins hold (a store from before the namespace), is refused after the same one slow check.
   */
  async authenticate(
    login: string,
    password: string,
    clientAddress: string,
  ): Promise<{ source: SmtpLoginSource; principal: string } | null> {
    const holders = await this.holders(login)
    const source = holders.length === 1 ? holders[0]! : this.sources[0]
    if (!source) return null
    const r = await source.auth.authenticate(login, password, clientAddress)
    return r && holders.length === 1 ? { source, principal: r.principal } : null
  }
}

/**
 * The one check a creation path makes: throws when another mounted plugin holds `login` (none
 * mounted: nothing to refuse). `taken` builds the plugin's own "already exists" error from the
 * holder's id; without it, SmtpLoginTaken.
 */
export async function assertSmtpLoginFree(
  ctx: { smtpLogins?: SmtpLoginNamespace | undefined },
  self: string,
  login: string,
  taken: (holder: string) => Error = (holder) => new SmtpLoginTaken(login, holder),
): Promise<void> {
  const holder = await ctx.smtpLogins?.takenElsewhere(login, self)
  if (holder) throw taken(holder)
}
