// The Webhooks panel of the state UI: the webhook in force (never its secret), a form to set or
// remove the admin API's one, and the delivery log. Loaded before app.js, whose helpers (api, el,
// notice) it calls once the page runs; app.js lists loadWebhooks among its panels.

/** The newest delivery attempts (GET /_mailfront/webhook/deliveries) and where they go. */
async function loadWebhooks() {
  const [cfgRes, logRes] = await Promise.all([api('/webhook'), api('/webhook/deliveries')])
  if (!cfgRes.ok || !logRes.ok) return
  const cfg = await cfgRes.json()
  const { deliveries, pending } = await logRes.json()
  const box = document.getElementById('webhook-config')
  box.replaceChildren(
    cfg.configured
      ? el(
          'p',
          {},
          'Sending ',
          el('code', {}, cfg.events.join(', ')),
          ' to ',
          el('code', { id: 'webhook-url' }, cfg.url),
          ` (set ${cfg.source === 'env' ? 'by MAILFRONT_WEBHOOK_URL' : 'through the admin API'}; secret set, never shown)`,
          cfg.envUrl ? ` — MAILFRONT_WEBHOOK_URL (${cfg.envUrl}) is back once this one is removed` : '',
          `. ${pending} waiting.`,
        )
      : el('p', { class: 'empty' }, 'No webhook: set MAILFRONT_WEBHOOK_URL and _SECRET, or one below.'),
    el(
      'p',
      { class: 'muted' },
      `Each POST is signed: ${cfg.headers.signature}: v1=hex(HMAC-SHA256(secret, "${cfg.signedString}")), with ${cfg.headers.id} and ${cfg.headers.timestamp}.`,
    ),
  )
  document.getElementById('webhook-remove').disabled = cfg.source !== 'admin'
  const body = document.querySelector('#webhook-list tbody')
  body.replaceChildren()
  for (const d of deliveries)
    body.append(
      el(
        'tr',
        {},
        el('td', { title: d.at }, d.at.slice(11, 23)),
        el('td', {}, d.type),
        el('td', { title: d.eventId }, d.eventId.slice(0, 12)),
        el('td', {}, d.attempt),
        el(
          'td',
          { class: d.status ? `s${String(d.status)[0]}` : d.error ? 's5' : '', title: d.error || '' },
          d.status ?? d.error ?? '',
        ),
        el('td', {}, d.durationMs),
        el('td', { class: `outcome-${d.outcome}` }, d.outcome),
        el('td', { title: d.nextRetryAt || '' }, d.nextRetryAt ? d.nextRetryAt.slice(11, 19) : ''),
      ),
    )
  if (!deliveries.length)
    body.append(el('tr', {}, el('td', { colspan: '8', class: 'empty' }, 'no deliveries yet')))
}

document.getElementById('webhook-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = e.target
  const data = Object.fromEntries(new FormData(form))
  const res = await api('/webhook', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: data.url, secret: data.secret }),
  })
  notice(res.ok ? '' : (await res.json()).error, 'webhooks')
  if (res.ok) form.secret.value = ''
  loadWebhooks()
})
document.getElementById('webhook-remove').addEventListener('click', async () => {
  await api('/webhook', { method: 'DELETE' })
  loadWebhooks()
})
document.getElementById('webhook-clear').addEventListener('click', async () => {
  await api('/webhook/deliveries', { method: 'DELETE' })
  loadWebhooks()
})
