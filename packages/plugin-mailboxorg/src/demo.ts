import { defineDemo } from '@mailfront/core'

/** The demo data (the seed documents' examples; clear passwords are hashed on load) and how to try it. */
export const demo = defineDemo({
  data: {
    operators: [
      {
        name: 'demo_admin',
        password: 'demo-admin-pass',
        level: 'admin',
      },
      {
        name: 'demo_reseller',
        password: 'demo-reseller-pass',
        level: 'reseller',
      },
    ],
    accounts: [
      {
        account: 'test_account',
        password: '123456',
        plan: 'basic',
        reseller: 'demo_reseller',
      },
    ],
    domains: [
      {
        domain: 'domain1.test',
        account: 'test_account',
      },
      {
        domain: 'domain2.test',
        account: 'test_account',
      },
      {
        domain: 'domain3.test',
        account: 'test_account',
      },
      {
        domain: 'domain4.test',
        account: 'test_account',
      },
    ],
    mails: [
      {
        // Old enough to have backups, with what the password reset and mail.externaluid need, so that
        // every method can be tried on a fresh server.
        mail: 'user1@domain1.test',
        first_name: 'User',
        last_name: '1',
        plan: 'standard',
        capabilities: ['MAIL_PASSWORDRESET_SMS', 'MAIL_BACKUPRECOVER'],
        created_at: '2025-01-15 09:30:00',
        backups: ['2026-01-03', '2026-01-02', '2026-01-01'],
        cell_phone: '+491701234567',
        uid_extern: 'demo-ext-user1',
      },
      {
        mail: 'user2@domain1.test',
        first_name: 'User',
        last_name: '2',
        plan: 'standard',
      },
      {
        mail: 'user01@domain3.test',
        first_name: 'User',
        last_name: '01',
        plan: 'light',
      },
      {
        mail: 'user02@domain3.test',
        first_name: 'User',
        last_name: '02',
        plan: 'light',
      },
      {
        mail: 'user03@domain3.test',
        first_name: 'User',
        last_name: '03',
        plan: 'light',
      },
      {
        mail: 'user04@domain3.test',
        first_name: 'User',
        last_name: '04',
        plan: 'light',
      },
      {
        mail: 'user05@domain3.test',
        first_name: 'User',
        last_name: '05',
        plan: 'light',
      },
      {
        mail: 'user06@domain3.test',
        first_name: 'User',
        last_name: '06',
        plan: 'light',
      },
      {
        mail: 'user07@domain3.test',
        first_name: 'User',
        last_name: '07',
        plan: 'light',
      },
      {
        mail: 'user08@domain3.test',
        first_name: 'User',
        last_name: '08',
        plan: 'light',
      },
      {
        mail: 'user09@domain3.test',
        first_name: 'User',
        last_name: '09',
        plan: 'light',
      },
      {
        mail: 'user10@domain3.test',
        first_name: 'User',
        last_name: '10',
        plan: 'light',
      },
      {
        mail: 'user11@domain3.test',
        first_name: 'User',
        last_name: '11',
        plan: 'light',
      },
      {
        mail: 'user12@domain3.test',
        first_name: 'User',
        last_name: '12',
        plan: 'light',
      },
      {
        mail: 'user13@domain3.test',
        first_name: 'User',
        last_name: '13',
        plan: 'light',
      },
      {
        mail: 'user14@domain3.test',
        first_name: 'User',
        last_name: '14',
        plan: 'light',
      },
      {
        mail: 'user15@domain3.test',
        first_name: 'User',
        last_name: '15',
        plan: 'light',
      },
      {
        mail: 'user16@domain3.test',
        first_name: 'User',
        last_name: '16',
        plan: 'light',
      },
      {
        mail: 'user17@domain3.test',
        first_name: 'User',
        last_name: '17',
        plan: 'light',
      },
      {
        mail: 'user18@domain3.test',
        first_name: 'User',
        last_name: '18',
        plan: 'light',
      },
      {
        mail: 'user19@domain3.test',
        first_name: 'User',
        last_name: '19',
        plan: 'light',
      },
      {
        mail: 'user20@domain3.test',
        first_name: 'User',
        last_name: '20',
        plan: 'light',
      },
      {
        mail: 'user21@domain3.test',
        first_name: 'User',
        last_name: '21',
        plan: 'light',
      },
      {
        mail: 'user22@domain3.test',
        first_name: 'User',
        last_name: '22',
        plan: 'light',
      },
      {
        mail: 'user23@domain3.test',
        first_name: 'User',
        last_name: '23',
        plan: 'light',
      },
      {
        mail: 'user24@domain3.test',
        first_name: 'User',
        last_name: '24',
        plan: 'light',
      },
      {
        mail: 'user25@domain3.test',
        first_name: 'User',
        last_name: '25',
        plan: 'light',
      },
      {
        mail: 'user26@domain3.test',
        first_name: 'User',
        last_name: '26',
        plan: 'light',
      },
      {
        mail: 'user27@domain3.test',
        first_name: 'User',
        last_name: '27',
        plan: 'light',
      },
      {
        mail: 'user28@domain3.test',
        first_name: 'User',
        last_name: '28',
        plan: 'light',
      },
      {
        mail: 'user29@domain3.test',
        first_name: 'User',
        last_name: '29',
        plan: 'light',
      },
      {
        mail: 'user30@domain3.test',
        first_name: 'User',
        last_name: '30',
        plan: 'light',
      },
      {
        mail: 'user31@domain3.test',
        first_name: 'User',
        last_name: '31',
        plan: 'light',
      },
      {
        mail: 'user32@domain3.test',
        first_name: 'User',
        last_name: '32',
        plan: 'light',
      },
      {
        mail: 'user33@domain3.test',
        first_name: 'User',
        last_name: '33',
        plan: 'light',
      },
    ],
    invoices: [
      {
        invoice_id: 'BMBO-10001-25',
        account: 'test_account',
        date: '2025-12-31',
        amount: 35.7,
        status: 'paid',
      },
    ],
    registration_tokens: [
      {
        token: 'demo-registration-token-domain1',
        domain: 'domain1.test',
        plan: 'light',
      },
    ],
  },
  try: [
    '{curl} -d \'{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}\' {url}/v1/',
    '  also demo_reseller / demo-reseller-pass, demo_admin / demo-admin-pass',
  ],
})
