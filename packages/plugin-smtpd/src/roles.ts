/** SMTPD's roles in the order of their numeric ids (the JWT `scope`: the seed's admin token has [1]). */
export const ROLES = ['owner', 'admin', 'iac', 'standard', 'read_only', 'send_only'] as const
export type Role = (typeof ROLES)[number]
export const KEY_ROLES = ['iac', 'standard', 'read_only', 'send_only'] as const
export const USER_ROLES = ['admin', 'iac', 'standard', 'read_only', 'send_only'] as const

export type Permission = 'read' | 'send' | 'manage_profiles' | 'manage_keys' | 'manage_users'

/** From the docs' descriptions of the roles; the per-route mapping is ours. */
export const PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ['read', 'send', 'manage_profiles', 'manage_keys', 'manage_users'],
  admin: ['read', 'send', 'manage_profiles', 'manage_keys', 'manage_users'],
  iac: ['read', 'manage_profiles'],
  standard: ['read', 'send'],
  read_only: ['read'],
  send_only: ['send'],
}

export const roleId = (r: Role) => ROLES.indexOf(r)
export const can = (r: Role, p: Permission) => PERMISSIONS[r].includes(p)
