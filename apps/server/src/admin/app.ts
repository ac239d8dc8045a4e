import { type Context, Hono } from 'hono'
import { adminAccess } from './access.ts'

/** A group of admin routes (captured mail, reset, request log, faults…), mounted under /_mailfront. */
export type AdminRoutes = (admin: Hono) => void

/** mailfront's own admin API at /_mailfront/*, behind one access rule. */
export function createAdminApp(opts: {
  token?: string
  clientAddress: (c: Context) => string
  groups: AdminRoutes[]
}): Hono {
  const admin = new Hono()
  admin.use('*', adminAccess(opts.token, opts.clientAddress))
  for (const add of opts.groups) add(admin)
  admin.notFound((c) => c.json({ error: 'not found' }, 404))
  return admin
}
