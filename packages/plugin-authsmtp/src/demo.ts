import { defineDemo } from '@mailfront/core'

/** The demo data (the seed documents' examples; clear passwords are hashed on load) and how to try it. */
export const demo = defineDemo({
  data: {
    accounts: [
      {
        user_id: 'aa12345',
        api_password: 'demo-api-password',
        smtp_password: 'demo-smtp-password',
        api_enabled: true,
        created_at: '2025-01-28 00:00:00',
        messages_limit: 1000,
        data_limit: 209715200,
        messages_sent: 120,
        data_sent: 3145728,
        max_message_size: 10485760,
        from_addresses_limit: 10,
        from_addresses: ['sales@example.com', 'info@example.com'],
        ip_addresses: ['192.0.2.10', '192.0.2.11'],
      },
      {
        user_id: 'aa99999',
        api_password: 'demo-api-password-2',
        api_enabled: true,
        created_at: '2024-03-01 00:00:00',
        next_reset: '2026-05-01 00:00:00',
        messages_limit: 10000000000,
        data_limit: 5000000000000,
        messages_sent: 4294967296,
        data_sent: 4398046511104,
        max_message_size: 52428800,
        from_addresses_limit: 50,
        from_addresses: [],
        ip_addresses: [],
      },
    ],
  },
  try: [
    '{curl} -u aa12345:demo-api-password {url}/restful/basic_user/aa12345',
    // The seed's limit, kept: a repeat within 20 s answers the XML error code 1.
    '  one request per user per 20 s, as the real API (a repeat answers error code 1); for local testing start with MAILFRONT_AUTHSMTP_RATE_WINDOW_S=0',
    '  also aa99999 / demo-api-password-2 (64-bit quantities, no dedicated IP)',
  ],
  smtpLogin: {
    user: 'aa12345',
    pass: 'demo-smtp-password',
    from: 'sales@example.com',
  },
})
