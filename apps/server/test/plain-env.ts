/**
 * The environment of a fresh shell, for a child that runs npm, a registry or a nested test runner:
 * none of this run's npm_* variables (an outer `npm test`), no loader in NODE_OPTIONS, none of its
 * VITEST_* variables (a nested runner would take them as its own); npm's notices off.
 */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')) env[k] = v
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }
}
