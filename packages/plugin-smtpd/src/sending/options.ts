import type { Resolver } from './dns.ts'
import type { FormLimits } from './forms.ts'

export interface SendingOptions {
  /** `off`: verify marks every record valid; `dns`: the records are looked up. */
  dnsCheck: 'off' | 'dns'
  /** Where the link and bounce domains point (CNAME) and whose `_spf.` the SPF record includes. */
  dnsTarget: string
  /** Base of tracking and form URLs; by default `https://<the profile's link domain>`. */
  trackingBaseUrl: string | null
  /** Anonymous form posts allowed per client address and per form in a window (0: no limit). */
  formLimits?: FormLimits
  /** The DNS resolver (node:dns/promises unless a test injects one). */
  resolver?: Resolver
}

export const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

export const isHostName = (h: string) => HOST.test(h)
