import { defineDemo } from '@mailfront/core'

/** The demo data (the seed documents' examples; clear passwords are hashed on load) and how to try it. */
export const demo = defineDemo({
  data: {
    admin: {
      login: 'admin',
      password: 'admin',
    },
    users: [
      {
        Id: 3,
        Login: 'toorop@tmail.io',
        Passwd: 'motdepasse',
        AuthRelay: true,
        HaveMailbox: true,
        MailboxQuota: '1G',
      },
      {
        Id: 4,
        Login: 'texset@tmail.io',
        Passwd: '$2a$10$rih8MngreLiYl6KzB72jVuufgtIHYFF08c4Q.GNIx2UObPOrL18QW',
        DovePasswd:
          '$6$ba3b4fb33607b031$5.FuzhmYBHK5fBIGSMamG7nv7G/OfHxGBuGPBkfSU0FiE6AvWAJIplz/RJP5AQoTFrKC.vYulBeKlKm/Ua7Gj.',
        AuthRelay: false,
        HaveMailbox: false,
        MailboxQuota: '',
        Home: '',
      },
      {
        Id: 5,
        Login: 'texsdet@tmail.io',
        Passwd: '$2a$10$Lnvy5ViilsKwAKKLsxhrZOhlcZkW.gbDvffEpyEif6Fefc5NU0iOe',
        DovePasswd:
          '$6$8c69e981ea71fa91$WRbtGb6AnEKQo.wSRd2VecOkjiHKCr/SVK0ww.qqK/O.wAjLNUn6ztEpONycwFYwiLWU82rI52A8rLzqrNsE./',
        AuthRelay: false,
        HaveMailbox: false,
        MailboxQuota: '',
        Home: '',
      },
    ],
    queue: [
      {
        Id: 1,
        Uuid: '5217dfdc96d7216d7074b329f88d11f76dee997b',
        MailFrom: 'toorop@tmail.io',
        AuthUser: 'toorop@tmail.io',
        RcptTo: 'toorop@toorop.fr',
        MessageId: '5528C725.8060007@tmail.io',
        Host: 'toorop.fr',
        LastUpdate: '2015-04-11T09:03:02.737629459+02:00',
        AddedAt: '2015-04-11T09:03:02.737629459+02:00',
        NextDeliveryScheduledAt: '2015-04-11T16:44:35.994411773+02:00',
        Status: 2,
        DeliveryFailedCount: 0,
      },
      {
        Id: 2,
        Uuid: 'bd36f47dab0e27482ce5db8605415e32978f0185',
        MailFrom: 'toorop@tmail.io',
        AuthUser: 'toorop@tmail.io',
        RcptTo: 'stephane@protecmail.com',
        MessageId: '5529331C.3050308@tmail.io',
        Host: 'protecmail.com',
        LastUpdate: '2015-04-11T16:43:41.965596115+02:00',
        AddedAt: '2015-04-11T16:43:41.965596115+02:00',
        NextDeliveryScheduledAt: '0001-01-01T00:09:21+00:09',
        Status: 0,
        DeliveryFailedCount: 0,
      },
    ],
  },
  try: ['{curl} -u admin:admin {url}/users/toorop@tmail.io'],
  smtpLogin: {
    user: 'toorop@tmail.io',
    pass: 'motdepasse',
    from: 'toorop@tmail.io',
  },
})
