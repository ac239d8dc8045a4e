import { generateKeyPair } from 'node:crypto'
import { promisify } from 'node:util'
import { type PluginContext, UniqueViolationError } from '@mailfront/core'
import { errors } from '../errors.ts'
import { ksuidLike } from '../keys.ts'
import { checkRecord, type DnsRecord, nodeResolver } from './dns.ts'
import { PROFILE, type ProfileRow, type RecordState } from './models.ts'
import type { SendingOptions } from './options.ts'

const keyPair = promisify(generateKeyPair)
const s = (ms: number | null) => (ms === null ? 0 : Math.floor(ms / 1000))

/** A DKIM key pair (RSA 2048): the private key as PKCS#8 PEM, the public one as the base64 DER of `p=`. */
export async function dkimKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = await keyPair('rsa', { modulusLength: 2048 })
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  }
}

export interface NewProfile {
  profile_name: string
  sending_domain: string
  link_domain: string
  link_domain_default_redirect: string
  bounce_domain: string
}

export async function createProfile(
  ctx: PluginContext,
  accountId: string,
  p: NewProfile & { id?: string; state?: ProfileRow['state']; created_at?: number },
  keys?: { dkim_selector: string; dkim_private_key: string; dkim_public_key: string },
): Promise<ProfileRow> {
  const now = p.created_at ?? ctx.clock.now()
  const pair = keys ? null : await dkimKeyPair()
  const state = p.state ?? 'creating'
  try {
    return await ctx.storage.create<ProfileRow>({
      model: PROFILE,
      data: {
        ...(p.id ? { id: p.id } : {}),
        account_id: accountId,
        profile_name: p.profile_name,
        sending_domain: p.sending_domain.toLowerCase(),
        link_domain: p.link_domain.toLowerCase(),
        link_domain_default_redirect: p.link_domain_default_redirect,
        bounce_domain: p.bounce_domain.toLowerCase(),
        state,
        // Lower case: DNS names are compared case-insensitively, some resolvers and verifiers are not.
        dkim_selector: keys?.dkim_selector ?? ksuidLike().toLowerCase(),
        dkim_private_key: keys?.dkim_private_key ?? pair!.privateKey,
        dkim_public_key: keys?.dkim_public_key ?? pair!.publicKey,
        record_states: recordStates(state === 'active' ? 'valid' : 'pending'),
        verified_at: state === 'active' ? now : null,
        created_at: now,
        modified_at: now,
      },
    })
  } catch (e) {
    if (e instanceof UniqueViolationError) throw errors.PROFILE_NAME_TAKEN()
    throw e
  }
}

const recordStates = (v: RecordState): Record<DnsRecord['kind'], RecordState> => ({
  dkim: v,
  spf: v,
  bounce: v,
  link: v,
})

/** The DNS records a profile needs: its DKIM key, SPF, and the bounce and link domains' CNAMEs. */
export function dnsRecords(p: ProfileRow, opts: SendingOptions): DnsRecord[] {
  return [
    {
      kind: 'dkim',
      name: `${p.dkim_selector}._domainkey.${p.sending_domain}`,
      type: 'TXT',
      value: `v=DKIM1; k=rsa; p=${p.dkim_public_key}`,
    },
    { kind: 'spf', name: p.sending_domain, type: 'TXT', value: `v=spf1 include:_spf.${opts.dnsTarget} ~all` },
    { kind: 'bounce', name: p.bounce_domain, type: 'CNAME', value: opts.dnsTarget },
    { kind: 'link', name: p.link_domain, type: 'CNAME', value: opts.dnsTarget },
  ]
}

export const profileView = (p: ProfileRow) => ({
  profile_id: p.id,
  profile_name: p.profile_name,
  sending_domain: p.sending_domain,
  link_domain: p.link_domain,
  link_domain_default_redirect: p.link_domain_default_redirect,
  bounce_domain: p.bounce_domain,
  state: p.state,
  created_at_utc: s(p.created_at),
  modified_at_utc: s(p.modified_at),
})

/** `…/setup`: the documented keys, then the profile's own fields (GetProfileByID decodes those). */
export const setupView = (p: ProfileRow, opts: SendingOptions) => ({
  profile_id: p.id,
  profile_name: p.profile_name,
  dns_records: dnsRecords(p, opts).map((r) => ({
    name: r.name,
    type: r.type,
    value: r.value,
    validation_state: p.record_states[r.kind] ?? 'pending',
  })),
  state: p.state,
  created_at_utc: s(p.created_at),
  modified_at_utc: s(p.modified_at),
  sending_domain: p.sending_domain,
  link_domain: p.link_domain,
  link_domain_default_redirect: p.link_domain_default_redirect,
  bounce_domain: p.bounce_domain,
})

/**
 * `creating` lasts until the profile's DNS records exist, which is as soon as it is stored: the
 * first read after the create answer (or the step right after it) moves it to `pending`.
 */
export async function settle(ctx: PluginContext, p: ProfileRow): Promise<ProfileRow> {
  if (p.state !== 'creating') return p
  const row = await ctx.storage.updateOne<ProfileRow>({
    model: PROFILE,
    where: {
      and: [
        { field: 'id', value: p.id },
        { field: 'state', value: 'creating' },
      ],
    },
    set: { state: 'pending', modified_at: ctx.clock.now() },
  })
  return (
    row ?? (await ctx.storage.findOne<ProfileRow>({ model: PROFILE, where: { field: 'id', value: p.id } }))!
  )
}

/**
 * The verification task: with the check off, every record is valid; with `dns`, each is looked
 * up. All valid → `active`; otherwise the profile stays (or goes back to) `pending`.
 */
export async function verifyProfile(
  ctx: PluginContext,
  opts: SendingOptions,
  id: string,
): Promise<ProfileRow | null> {
  const p = await ctx.storage.findOne<ProfileRow>({ model: PROFILE, where: { field: 'id', value: id } })
  if (!p) return null
  const states: Record<string, RecordState> = {}
  if (opts.dnsCheck === 'off') Object.assign(states, recordStates('valid'))
  else {
    const resolver = opts.resolver ?? nodeResolver()
    const records = dnsRecords(p, opts)
    const results = await Promise.all(records.map((r) => checkRecord(resolver, r)))
    records.forEach((r, i) => {
      states[r.kind] = results[i]!
    })
  }
  const ok = Object.values(states).every((v) => v === 'valid')
  const now = ctx.clock.now()
  return ctx.storage.updateOne<ProfileRow>({
    model: PROFILE,
    where: { field: 'id', value: id },
    set: {
      record_states: states,
      state: ok ? 'active' : 'pending',
      verified_at: ok ? now : p.verified_at,
      modified_at: now,
    },
  })
}
