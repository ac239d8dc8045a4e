import Database from 'better-sqlite3'

/** Put `rows` messages in tmail's queue table directly (one transaction): the bench's 1M-row queue. */
export function fillQueue(file: string, rows: number) {
  const db = new Database(file)
  const insert = db.prepare(
    `INSERT INTO tmail_queue (uuid, mail_from, auth_user, rcpt_to, message_id, host, last_update, added_at,
      next_delivery_scheduled_at, status, delivery_failed_count) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, 2, 0)`,
  )
  const t = '2026-06-10T19:40:30.123+02:00'
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      const uuid = i.toString(16).padStart(40, '0')
      insert.run(uuid, 'sender@tmail.io', `rcpt${i}@example.com`, `${uuid}@tmail.io`, 'example.com', t, t, t)
    }
  })()
  db.close()
}
