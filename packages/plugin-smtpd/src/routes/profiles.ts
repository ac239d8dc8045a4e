import { type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { requireRoom } from '../plan-limits.ts'
import { PROFILE, type ProfileRow } from '../sending/models.ts'
import { createProfile, profileView, settle, setupView, verifyProfile } from '../sending/profiles.ts'
import type { Sending } from '../sending/service.ts'
import { authed, type C, json, jsonBody, smtpdRoutes } from './common.ts'
import { idParam } from './schemas.ts'
import { CreatedProfile, NewProfile, Profile, ProfileSetup } from './sending-schemas.ts'

/**
 * Sending profiles, on both path families: `/api/v1/profile/email…` (the current docs, the
 * terraform provider since 2024) and `/api/v1/email/profile…` (the official Go client).
 */
export function registerProfiles(app: OpenAPIHono<PluginEnv>, authorize: Authorize, sending: Sending) {
  const { ctx, opts } = sending
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)

  const own = async (c: C, accountId: string) => {
    const p = await db.findOne<ProfileRow>({
      model: PROFILE,
      where: { field: 'id', value: c.req.param('id')! },
    })
    if (!p || p.account_id !== accountId) throw errors.BAD_ID()
    return settle(ctx, p)
  }

  for (const [base, suffix, family] of [
    ['/api/v1/profile/email', '', 'current'],
    ['/api/v1/email/profile', 'Legacy', 'older path, as the official Go client calls it'],
  ] as const) {
    const tag = family === 'current' ? '' : ` (${family})`
    route(
      authed('manage_profiles', {
        method: 'post',
        path: base,
        operationId: `smtpdCreateProfile${suffix}`,
        summary: `Create a sending profile; it starts \`creating\`${tag}`,
        request: jsonBody(NewProfile),
        ok: { status: 202, body: json(CreatedProfile, 'Enqueued for creation') },
        errors: ['VALIDATION_FAILED', 'PROFILE_NAME_TAKEN', 'PLAN_PROFILE_LIMIT'],
      }),
      async (c, { auth: p, body }) => {
        await requireRoom(ctx, p.accountId, 'profiles')
        const row = await createProfile(ctx, p.accountId, body)
        // Its DNS records exist as soon as it is stored: next step, `pending`.
        sending.background('profile setup', () => settle(ctx, row))
        return c.json({ profile_id: row.id, profile_name: row.profile_name, state: 'creating' }, 202)
      },
    )
    route(
      authed('read', {
        method: 'get',
        path: base,
        operationId: `smtpdProfiles${suffix}`,
        summary: `Every sending profile of the account${tag}`,
        ok: { status: 200, body: json(z.array(Profile), 'Profiles, oldest first') },
      }),
      async (c, { auth: p }) => {
        const rows = await db.findMany<ProfileRow>({
          model: PROFILE,
          where: { field: 'account_id', value: p.accountId },
          sort: [{ field: 'created_at' }, { field: 'profile_name' }],
        })
        const settled = await Promise.all(rows.map((r) => settle(ctx, r)))
        return c.json(settled.map(profileView))
      },
    )
    route(
      authed('read', {
        method: 'get',
        path: `${base}/{id}/setup`,
        operationId: `smtpdProfileSetup${suffix}`,
        summary: `The profile with the DNS records it needs (DKIM, SPF, bounce and link domains)${tag}`,
        request: { params: idParam },
        ok: { status: 200, body: json(ProfileSetup, 'The profile and its records') },
        errors: ['BAD_ID'],
      }),
      async (c, { auth: p }) => c.json(setupView(await own(c, p.accountId), opts)),
    )
    route(
      authed('manage_profiles', {
        method: 'put',
        path: `${base}/{id}/verify`,
        operationId: `smtpdVerifyProfile${suffix}`,
        summary: `Enqueue the DNS verification; \`active\` once every record is valid${tag}`,
        request: { params: idParam },
        ok: { status: 202, body: json(Profile, 'Verification enqueued; the profile as it is now') },
        errors: ['BAD_ID'],
      }),
      async (c, { auth: p }) => {
        const row = await own(c, p.accountId)
        sending.background('profile verification', () => verifyProfile(ctx, opts, row.id))
        return c.json(profileView(row), 202)
      },
    )
    route(
      authed('read', {
        method: 'get',
        path: `${base}/{id}`,
        operationId: `smtpdProfile${suffix}`,
        summary: `One sending profile${tag}`,
        request: { params: idParam },
        ok: { status: 200, body: json(Profile, 'The profile') },
        errors: ['BAD_ID'],
      }),
      async (c, { auth: p }) => c.json(profileView(await own(c, p.accountId))),
    )
  }
}
