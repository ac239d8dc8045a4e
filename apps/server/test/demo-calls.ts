// One demo-data request per provider, each of which reads the store: the outage tests expect 200 from
// every one while the store answers, and 503 in each provider's format while it does not.
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

export function demoStoreCalls(url: () => string) {
  return {
    authsmtp: () =>
      fetch(`${url()}/restful/basic_user/aa12345`, {
        headers: { Authorization: basic('aa12345', 'demo-api-password') },
      }),
    smtpd: () =>
      fetch(`${url()}/oauth/token?grant_type=password`, {
        method: 'POST',
        headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
      }),
    // One user, not the list: a list streams, and a connection lost mid-stream can only cut it short.
    tmail: () =>
      fetch(`${url()}/users/toorop@tmail.io`, { headers: { Authorization: basic('admin', 'admin') } }),
    mailboxorg: () =>
      fetch(`${url()}/v1/`, {
        method: 'POST',
        body: '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"7"}',
      }),
  }
}
