/** What `npm start` prints when it loads the demo data (matches fixtures/demo.json). */
export const DEMO_CREDENTIALS: Record<string, string[]> = {
  authsmtp: [
    'curl -k -u aa12345:demo-api-password https://127.0.0.1:{port}/restful/basic_user/aa12345',
    '  also aa99999 / demo-api-password-2 (64-bit quantities, no dedicated IP)',
  ],
  smtpd: [
    'curl -k -X POST -u jack.truong@example.com:demo-password "https://127.0.0.1:{port}/oauth/token?grant_type=password"',
    '  API key demo-key / demo-secret (role standard)',
  ],
  tmail: ['curl -k -u admin:admin https://127.0.0.1:{port}/users/toorop@tmail.io'],
  mailboxorg: [
    `curl -k -d '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}' https://127.0.0.1:{port}/v1/`,
    '  also demo_reseller / demo-reseller-pass, demo_admin / demo-admin-pass',
  ],
}
