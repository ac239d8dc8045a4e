import { createPublicKey } from 'node:crypto'
import { dkimVerify } from 'mailauth/lib/dkim/verify'
import { describe, expect, it } from 'vitest'
import { activeProfile, req, SEND, setup, t } from '../test/harness.ts'
import { fixtures } from './fixtures.ts'

const settle = () => new Promise((r) => setTimeout(r, 20))

describe('fixtures carry profiles, templates, forms and sends', () => {
  it('export → load into a new store → the same export; the loaded profile signs with the same key', async () => {
    await setup()
    const profileId = await activeProfile()
    const tpl = await req('POST', '/api/v1/email/template', {
      template_name: 'welcome',
      content_text: 'Welcome!',
      from_email_address: 'hello@mail.example.com',
      tags: ['a'],
    })
    await req('POST', `/api/v1/email/template/${tpl.body.template_id}`, {
      template_name: 'welcome',
      subject: 'Hi',
      content_html: '<p>v2</p>',
      from_email_address: 'hello@mail.example.com',
    })
    await req('POST', '/api/v1/email/form', {
      form_name: 'Contact',
      link_domain: 'links.example.com',
      notification_email_address: 'sales@example.com',
      required_fields: 'email, name',
      default_redirect: 'https://example.com/',
      success_redirect: 'https://example.com/ok',
      failure_redirect: 'https://example.com/ko',
    })
    const send = await req('POST', '/api/v1/email/send', SEND)
    await settle()
    t.mail.emit({ type: 'delivered', messageId: t.mail.last().summary.id, response: '250 OK' })
    await settle()

    const first = await fixtures.export(t.ctx)
    const account = first.accounts[0]!
    // The demo's profile, then ours.
    expect(account.profiles.map((p) => [p.profile_name, p.state])).toEqual([
      ['demo', 'active'],
      ['marketing', 'active'],
    ])
    expect(account.templates[0]!.revisions.map((r: { revision: number }) => r.revision)).toEqual([1, 2])
    expect(account.forms[0]).toMatchObject({ required_fields: ['email', 'name'], state: 'active' })
    expect(account.sends[0]).toMatchObject({ send_key: send.body.send_key, state: 'delivered' })
    expect(account.sends[0]!.events.map((e: { type: string }) => e.type)).toEqual([
      'accepted',
      'processed',
      'sent',
      'delivered',
    ])

    // A new store, loaded from the export (twice: loading is idempotent).
    await setup()
    const parsed = fixtures.schema.parse(JSON.parse(JSON.stringify(first)))
    await fixtures.load(t.ctx, parsed)
    await fixtures.load(t.ctx, parsed)
    expect(await fixtures.export(t.ctx)).toEqual(first)
    expect((await req('GET', `/api/v1/email/send/${send.body.send_id}`)).body.state).toBe('delivered')

    const again = await req('POST', '/api/v1/email/send', SEND)
    expect(again.body.sending_profile_id).toBe(profileId)
    const key = createPublicKey(account.profiles[1]!.dkim_private_key!)
      .export({ type: 'spki', format: 'der' })
      .toString('base64')
    const dkim = await dkimVerify(Buffer.from(t.mail.last().raw), {
      resolver: async () => [[`v=DKIM1; k=rsa; p=${key}`]],
    })
    expect(dkim.results[0]!.status.result).toBe('pass')
  })

  it('makes a DKIM key for a profile given without one, and names bad entries', async () => {
    await setup()
    const base = (await fixtures.export(t.ctx)).accounts[0]!
    await fixtures.load(
      t.ctx,
      fixtures.schema.parse({
        accounts: [
          {
            ...base,
            profiles: [
              {
                profile_name: 'fixture',
                sending_domain: 'fx.example.com',
                link_domain: 'l.fx.example.com',
                bounce_domain: 'b.fx.example.com',
              },
            ],
          },
        ],
      }),
    )
    const list = (await req('GET', '/api/v1/profile/email')).body
    const made = list.find((p: { profile_name: string }) => p.profile_name === 'fixture')
    expect(made).toMatchObject({ profile_name: 'fixture', state: 'active' })
    const setupRes = await req('GET', `/api/v1/profile/email/${made.profile_id}/setup`)
    expect(setupRes.body.dns_records[0].value).toMatch(/^v=DKIM1; k=rsa; p=/)
    const bad = fixtures.schema.safeParse({
      accounts: [{ ...base, sends: [{ send_key: 'k', profile_name: 'x', state: 'lost' }] }],
    })
    expect(bad.success).toBe(false)
    await expect(
      fixtures.load(
        t.ctx,
        fixtures.schema.parse({
          accounts: [
            {
              ...base,
              forms: [
                {
                  form_key: 'k',
                  form_name: 'f',
                  link_domain: 'nowhere.example',
                  notification_email_address: 'a@b.org',
                  default_redirect: 'https://a.example/',
                  success_redirect: 'https://a.example/',
                  failure_redirect: 'https://a.example/',
                },
              ],
            },
          ],
        }),
      ),
    ).rejects.toThrow('smtpd form k: no profile of the account has link domain nowhere.example')
  })
})
