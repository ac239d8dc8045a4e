import type { PluginContext } from '@mailfront/core'
import type { Resolver } from './dns.ts'

export interface SendingOptions {
  /** `off`: verify marks every record valid; `dns`: the records are looked up. */
  dnsCheck: 'off' | 'dns'
  /** Where the link and bounce domains point (CNAME) and whose `_spf.` the SPF record includes. */
  dnsTarget: string
  /** Base of tracking and form URLs; by default `https://<the profile's link domain>`. */
  trackingBaseUrl: string | null
  /** The DNS resolver (node:dns/promises unless a test injects one). */
  resolver?: Resolver
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

export function sendingOptionsFrom(ctx: PluginContext, resolver?: Resolver): SendingOptions {
  const dnsCheck = ctx.options.dns_check ?? 'off'
  if (dnsCheck !== 'off' && dnsCheck !== 'dns')
    throw new Error(`MAILFRONT_SMTPD_DNS_CHECK must be "off" or "dns", got "${dnsCheck}"`)
  const dnsTarget = ctx.options.dns_target ?? 'smtpd.mailfront.localhost'
  if (!HOST.test(dnsTarget))
    throw new Error(`MAILFRONT_SMTPD_DNS_TARGET must be a host name, got "${dnsTarget}"`)
  const base = ctx.options.tracking_base_url
  if (base !== undefined && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(base))
    throw new Error(`MAILFRONT_SMTPD_TRACKING_BASE_URL must be an http(s) URL, got "${base}"`)
  return {
    dnsCheck,
    dnsTarget,
    trackingBaseUrl: base ? base.replace(/\/+$/, '') : null,
    ...(resolver ? { resolver } : {}),
  }
}

export const isHostName = (h: string) => HOST.test(h)
