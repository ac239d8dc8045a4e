import { z } from '@mailfront/core'
import { defineMethod } from '../method.ts'
import { requireDomain } from '../scope.ts'
import { checkSpf, dnsResolver, type TxtResolver } from '../spf.ts'

const report = z.object({
  domain: z.string(),
  status: z.enum(['ok', 'incomplete', 'missing', 'invalid', 'error']),
  record: z.string().nullable(),
  records: z.array(z.string()),
  mechanisms: z.array(z.string()),
  all: z.string().nullable(),
  includes_expected: z.boolean(),
  expected_include: z.string(),
  dns_lookups: z.number().int(),
  errors: z.array(z.string()),
})

/** domain.validate.spf, on the injected resolver or on node:dns (the servers of the options). */
export const spfMethods = (resolver?: TxtResolver) => [
  defineMethod({
    name: 'domain.validate.spf',
    summary:
      "Check the domain's SPF record in DNS: found, valid, and whether it includes the expected sender (mailbox.org)",
    access: ['reseller', 'account', 'domain'],
    params: z.object({ domain: z.string().min(1) }),
    result: report,
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND'],
    async handler({ domain }, call) {
      const d = await requireDomain(call, domain)
      return checkSpf(resolver ?? dnsResolver(call.opts.dnsServers), d.domain, call.opts.spfInclude)
    },
  }),
]
