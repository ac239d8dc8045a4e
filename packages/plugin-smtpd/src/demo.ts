import { defineDemo } from '@mailfront/core'

/** The demo data (the seed documents' examples; clear passwords are hashed on load) and how to try it. */
export const demo = defineDemo({
  data: {
    accounts: [
      {
        id: '811affc1-66c7-4982-b39e-29f9536b4720',
        account_name: 'Demo account',
        // The plan on which every route can be tried (free allows one profile and no reporting).
        plan_id: '7d3e6f0a-2c4b-4f5e-9a81-b6c2d4e8f013',
        is_verified: true,
        country: 'AUS',
        users: [
          {
            id: '19ab52c7-da60-4dd2-af27-19f17d6afe37',
            email_address: 'jack.truong@example.com',
            password: 'demo-password',
            first_name: 'Jack',
            surname: 'Truong',
            role: 'owner',
            is_verified: false,
            created_at: 1598610725000,
          },
        ],
        api_keys: [
          {
            key: 'demo-key',
            secret: 'demo-secret',
            name: 'demo',
            role: 'standard',
          },
        ],
        profiles: [
          {
            id: '4f0c2b7e-8a61-4d5e-9b1a-3c7d2e9f6a10',
            profile_name: 'demo',
            sending_domain: 'example.com',
            link_domain: 'click.example.com',
            link_domain_default_redirect: 'https://example.com/',
            bounce_domain: 'bounces.example.com',
            state: 'active',
            dkim_selector: 'demo2026',
            dkim_private_key:
              '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDDCFy/pgf6ra9W\nMXwtDt7h4EUvNnoBq8LKS2AbvymGhsyjgx/mLbzoh6F9kXRIJVvublbVJQQSZh42\nbABnTkueNSm7M+k44J2wX3+Yr4Mgi04PnFzh00S6qScI3vQUoXuLZa8Y0XVSJ77r\ndVQ2V/6Mz2sZksHhx+HapXMskDzzGV57FGeKMH6Rjh/C+1SkQxEx/lPZIG41t/Q/\nJVy1wUC2DpFzYNXpbhnSlLcmsB/0YsaWAEEZN2JpRxFtp6kiMxJh1ML+ZW8D020P\n6SHK8WpT3rEzvPeJdCEFvt8rEtAjizMiEJGYYtlOt1ttFGgTPsSClkayaARaEr8p\nwbLxDRVDAgMBAAECggEALoYkpd0D40MiY+PLFO6KsYQvzMrogNSJ03r2krffvoUS\ndOD3L4/yk9+i4NLdU8aBrxdoJFE/runoRCAwWnRdaoCRE2SXOmeuhh/JztDzbUR9\n2xB4QbCFoSdvtdiFjhRVZdPcWIXCwFXV39ItxAbqpIloKYIOOP9W+7LjDhrcRzr3\n0mwF7MMvFrE9BPDbbaRi8yk+Ztju+bnAemEHLUxLVEfo/zP/9suhz6Lf06MULvXl\nFxVIXjweIROM+NWPTGc9CIpMAKaSp8u8bZRBFWlmUzBM+qCcGXFcfUzCn4bodwZ8\n32FmUl+Cx5xD1eCq14iGwq/c/fHxrLfirD1S0IUkhQKBgQDoyGm5MKSwQOiR4j9f\n3KEaGk5PgibSi1C30sSm1fw1X7lwhJjW9Yxc/RslSeuO0V1eL4ShrZzkWWuL6hMB\n6oyzDPsNK5Llxm/iOPHopVsbEDghXllcjsJCgzjZalw8/tU1XzeIiJ7h0oUbETbk\nRic1ZFuF64/JL2872v9sq4/KBwKBgQDWfBU4TA0fWWTR6+/Rd4l1V/1II6qXzGs2\nOz6EscGUMNqt6Yh3S+u/z0xmUiEyEhA9NhzrDnycMF4HvSFjAe5I3lJ1oDbFbbjB\nMRERkt3ZORQVeuQD4JPBqZk9aksKKJ38rrn+O7HFgaHQ15ZWQCMsII2AauZJhERN\nPkTsGsR75QKBgQCiLI3LYSI7UN02VWNFi9YI826/YbNeV4TCrGoouUfef3QX+ajp\niWRinEs/LUKY2y+rIHvMj8GQLOQKM+dOHHQtgcudn0/WGOt1taqDJEBWmHQiezLS\nkvqvj/AZOEpOjFNJva5YxqW6OgpVkyak3mMOhX5lzHj99rgOAUKWGOgyHQKBgGN0\ndA5/zVHtDL/+bFyv1jBwVYT+7NqoskoaXJoBJucFZFFiSaIvtShjAmUrzjK+h4Mq\ntWwVcpimIOPrwjB7s7dcR9Y9LUiM4S/MBcMlW/Oe8P4o1tQpbbpOXz1ILXWPcfq6\nNop5uawAuTzyysZBxU1v5s1WRGRwjY9XwXPN0bA1AoGBAIM5iop4B+Gg7onSdgP0\nyGDmhroR/QLeRgld+OBZgxiQrsF67MvpD4mKh6+P+fcQF7bE0dZ6mvfxBW4Ho08U\namCvFLqQdISIGU5gU5/aDPEymLPagnj3T21GGApGnYMBKF/1GKfZMRRM6D8BZzcf\nBNAzyBd/p62HnjlLOnSYNqaT\n-----END PRIVATE KEY-----\n',
          },
        ],
      },
    ],
  },
  try: [
    '{curl} -X POST -u jack.truong@example.com:demo-password "{url}/oauth/token?grant_type=password"',
    '  or with the API key (role standard): its secret as the HTTP Basic user name, no password:',
    '  {curl} -u demo-secret: {url}/api/v1/account',
    '{curl} -u demo-secret: -H \'Content-Type: application/json\' -d \'{"from_email_address":"jack.truong@example.com","recipient_email_address":"you@example.org","subject":"Hello","content_text":"Hi"}\' {url}/api/v1/email/send',
    '  (sending profile "demo" for example.com, active; the message lands in {url}/_mailfront/messages)',
  ],
})
