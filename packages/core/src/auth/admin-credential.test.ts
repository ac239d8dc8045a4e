import { describe, expect, it } from 'vitest'
import { createTestContext } from '../testing/context.ts'
import { adminCredential, adminCredentialFixture, adminCredentialModel } from './admin-credential.ts'
import { hashBcrypt, verifyPassword } from './passwords.ts'

const admin = adminCredential({ model: 'p_admin', name: 'rest' })
async function context() {
  const ctx = createTestContext()
  await ctx.storage.migrate({ p_admin: adminCredentialModel({ cacheMs: 1000 }) })
  return ctx
}

describe('adminCredential', () => {
  it('the model: one row per name, extra settings kept', () => {
    expect(adminCredentialModel({ cacheMs: 1000 })).toEqual({
      cacheMs: 1000,
      fields: {
        name: { type: 'string', unique: true },
        login: { type: 'string' },
        password_hash: { type: 'string' },
      },
    })
  })

  it('fixtures: load hashes a clear password, export gives the hash back, which loads as it is', async () => {
    const ctx = await context()
    expect(await admin.export(ctx)).toEqual({})
    expect(await admin.load(ctx, undefined)).toBe(0)
    expect(await admin.load(ctx, { login: 'root', password: 'pw' })).toBe(1)
    const out = await admin.export(ctx)
    expect(out.admin?.login).toBe('root')
    expect(await verifyPassword('pw', out.admin?.password)).toBe(true)
    expect(await admin.load(ctx, out.admin)).toBe(1)
    expect(await admin.export(ctx)).toEqual(out)
    expect(await ctx.storage.count({ model: 'p_admin' })).toBe(1)
    expect(await admin.get(ctx)).toMatchObject({ name: 'rest', login: 'root' })
  })

  it('fixtures schema: no ":" in the login, no hash out of bounds', async () => {
    expect(adminCredentialFixture.safeParse({ login: 'a:b', password: 'x' }).success).toBe(false)
    expect(
      adminCredentialFixture.safeParse({ login: 'a', password: await hashBcrypt('x', 13) }).success,
    ).toBe(false)
    expect(adminCredentialFixture.safeParse({ login: 'a', password: 'x', more: 1 }).success).toBe(false)
    expect(adminCredentialFixture.parse({ login: 'a', password: 'x' })).toEqual({ login: 'a', password: 'x' })
  })

  it('setCommand: sets the credential, prints a generated password only when none was given', async () => {
    const ctx = await context()
    const cmd = admin.setCommand('p', { note: () => ({ note: 'n' }) })
    expect(cmd.path).toEqual(['p', 'admin', 'set'])
    expect(await cmd.run(ctx, ['root', 'given'], {})).toEqual({ login: 'root', password: 'set', note: 'n' })
    expect(await verifyPassword('given', (await admin.get(ctx))?.password_hash)).toBe(true)
    const made = (await admin.setCommand('p').run(ctx, ['root'], {})) as { password: string }
    expect(made.password).toMatch(/^[\w-]{24}$/)
    expect(await verifyPassword(made.password, (await admin.get(ctx))?.password_hash)).toBe(true)
    await expect(cmd.run(ctx, ['a:b'], {})).rejects.toThrow('contain no ":"')
    await expect(cmd.run(ctx, [], {})).rejects.toThrow('non-empty')
  })
})
