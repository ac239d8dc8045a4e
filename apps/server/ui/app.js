// mailfront's state UI: plain DOM, no framework, no CDN. Everything it shows comes from /_mailfront/*.

const $ = (sel) => document.querySelector(sel)
const API = '/_mailfront'
let token = sessionStorage.getItem('mailfront-admin-token') || ''

function el(tag, attrs, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else e.setAttribute(k, v)
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c))
  return e
}

/** A notice in one panel only (the current one by default): another panel's errors never show there. */
function notice(text, name = panel) {
  const n = document.querySelector(`#${name} .notice`)
  if (!n) return
  n.hidden = !text
  n.textContent = text || ''
}

/** fetch against the admin API; asks once for the admin token when the server wants one. */
async function api(path, init = {}) {
  const headers = { ...(init.headers || {}) }
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(API + path, { ...init, headers })
  if (res.status === 401) {
    const t = prompt('mailfront admin token (MAILFRONT_ADMIN_TOKEN)')
    if (t) {
      token = t
      sessionStorage.setItem('mailfront-admin-token', t)
      return api(path, init)
    }
  }
  if (res.status === 404 && path === '/fixtures')
    notice(
      'The admin API is not available from this address (set MAILFRONT_ADMIN_TOKEN on the server).',
      'state',
    )
  // Opened under a name the server does not answer without a token (its DNS-rebinding guard): say why.
  if (res.status === 403 && path === '/fixtures') {
    const body = await res.clone().text()
    notice(/^\{/.test(body) ? JSON.parse(body).error : `admin API: ${res.status}`, 'state')
  }
  return res
}

const show = (v) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)

function table(rows) {
  const cols = []
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k)
  const t = el('table', {}, el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', {}, c)))))
  const body = el('tbody')
  for (const r of rows)
    body.append(el('tr', {}, ...cols.map((c) => el('td', { title: show(r[c]) }, show(r[c])))))
  t.append(body)
  return t
}

// ---- State: the demo logins (while the demo data is loaded), then each plugin's fixtures export,
// rendered generically (every list a table, scrolled in its own box: never wider than the page).
async function loadDemo() {
  const box = $('#demo')
  const res = await api('/demo')
  const demo = res.ok ? await res.json() : { present: false }
  box.hidden = !demo.present
  if (!demo.present) return box.replaceChildren()
  const lines = []
  for (const p of demo.plugins) {
    if (p.smtpLogin) lines.push(`SMTP login (${p.plugin}): ${p.smtpLogin.user} / ${p.smtpLogin.pass}`)
    for (const t of p.try) lines.push(t)
  }
  box.replaceChildren(el('h2', {}, 'Demo logins: try'), el('pre', {}, lines.join('\n')))
}

async function loadState() {
  loadDemo()
  const res = await api('/fixtures')
  if (!res.ok) return
  const data = await res.json()
  const root = $('#state-plugins')
  root.replaceChildren()
  for (const [plugin, section] of Object.entries(data)) {
    const box = el('div', { class: 'plugin', 'data-plugin': plugin }, el('h2', {}, plugin))
    for (const [name, value] of Object.entries(section || {})) {
      box.append(el('h3', {}, `${name}${Array.isArray(value) ? ` (${value.length})` : ''}`))
      if (Array.isArray(value) && value.length && typeof value[0] === 'object')
        box.append(el('div', { class: 'scroll' }, table(value)))
      else if (Array.isArray(value) && !value.length) box.append(el('p', { class: 'empty' }, 'none'))
      else box.append(el('pre', {}, JSON.stringify(value, null, 2)))
    }
    root.append(box)
  }
}

// ---- Requests: the request log, filtered, with the selected one's bodies.
let requests = []
async function loadRequests() {
  const q = new URLSearchParams({ limit: '200' })
  for (const [k, v] of new FormData($('#request-filter'))) if (v) q.set(k, v)
  const res = await api(`/requests?${q}`)
  if (!res.ok) return
  requests = (await res.json()).requests
  const body = $('#request-list tbody')
  body.replaceChildren()
  for (const r of requests) {
    const tr = el(
      'tr',
      { 'data-id': r.id, onclick: () => selectRequest(r.id) },
      el('td', {}, r.time.slice(11, 23)),
      el('td', {}, r.plugin),
      el('td', {}, r.method),
      el('td', { title: r.path + (r.query ? `?${r.query}` : '') }, r.path),
      el('td', { class: `s${String(r.status)[0]}` }, r.status),
      el('td', {}, r.ms),
    )
    body.append(tr)
  }
  if (!requests.length)
    body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no requests yet')))
}

function selectRequest(id) {
  const r = requests.find((x) => x.id === id)
  if (!r) return
  for (const tr of document.querySelectorAll('#request-list tbody tr'))
    tr.classList.toggle('selected', tr.dataset.id === String(id))
  const part = (title, p) => [
    el('h3', {}, title),
    el(
      'pre',
      {},
      Object.entries(p.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n') || '(no headers)',
    ),
    el(
      'pre',
      { class: 'body' },
      p.body.text === null ? '(no body)' : p.body.text + (p.body.truncated ? '\n… (truncated)' : ''),
    ),
  ]
  $('#request-detail').replaceChildren(
    el('h2', {}, `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} → ${r.status}`),
    el('p', {}, `${r.plugin} ${r.route} · ${r.time} · ${r.ms} ms · ${r.requestId}`),
    ...part('Request', r.request),
    ...part('Response', r.response),
  )
}

// ---- Mail: captured messages, searched and paged; HTML (sandboxed, cid: images inline), text,
// headers, raw source, attachments to download.
const PAGE = 50
let messages = []
let current = null
let view = 'html'
let mailOffset = 0
let mailTotal = 0
let mailSearch = ''

const when = (ms) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ')
const size = (n) =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`

async function loadMail() {
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(mailOffset) })
  if (mailSearch) q.set('q', mailSearch)
  const res = await api(`/messages?${q}`)
  const body = $('#mail-list tbody')
  if (!res.ok) {
    body.replaceChildren(
      el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'captured mail is not available')),
    )
    const err = await res.json().catch(() => ({}))
    notice(`captured mail: ${err.error || res.status}`, 'mail')
    return
  }
  const page = await res.json()
  messages = page.messages || []
  mailTotal = page.total
  // The page emptied under us (mail deleted): back to the first one.
  if (!messages.length && mailOffset > 0 && mailTotal > 0) {
    mailOffset = 0
    return loadMail()
  }
  body.replaceChildren(
    ...messages.map((m) =>
      el(
        'tr',
        {
          'data-id': m.id,
          class: current && current.id === m.id ? 'selected' : '',
          onclick: () => selectMail(m.id),
        },
        el('td', { title: new Date(m.receivedAt).toISOString() }, when(m.receivedAt)),
        el('td', {}, m.plugin),
        el('td', { title: m.envelope.from }, m.envelope.from || '<>'),
        el('td', { title: m.envelope.to.join(', ') }, m.envelope.to.join(', ')),
        el('td', { title: m.subject ?? '' }, m.subject ?? ''),
        el('td', {}, m.recipients.map((r) => r.state).join(', ')),
      ),
    ),
  )
  if (!messages.length)
    body.append(
      el(
        'tr',
        {},
        el('td', { colspan: '6', class: 'empty' }, mailSearch ? 'no mail matches' : 'no mail yet'),
      ),
    )
  $('#mail-total').textContent = mailTotal
    ? `${mailOffset + 1}–${mailOffset + messages.length} of ${mailTotal}${mailSearch ? ' found' : ''}`
    : '0 messages'
  $('#mail-prev').disabled = mailOffset === 0
  $('#mail-next').disabled = mailOffset + messages.length >= mailTotal
}

function clearMailDetail() {
  current = null
  $('#mail-summary').replaceChildren()
  $('#mail-attachments').replaceChildren()
  $('#mail-view').replaceChildren()
  $('#mail-views').hidden = true
  $('#mail-actions').hidden = true
}

/** A part's bytes through the admin API (with its token), as a data: URL the sandboxed frame may show. */
async function dataUrl(url) {
  const res = await api(url.slice(API.length))
  if (!res.ok) return null
  const blob = await res.blob()
  return new Promise((resolve) => {
    const r = new FileReader()
    r.onload = () => resolve(r.result)
    r.onerror = () => resolve(null)
    r.readAsDataURL(blob)
  })
}

/** With a token, a download goes through fetch (a plain link cannot send the token). */
async function download(e, a) {
  if (!token) return
  e.preventDefault()
  const res = await api(a.url.slice(API.length))
  if (!res.ok) return notice(`download failed: ${res.status}`, 'mail')
  const href = URL.createObjectURL(await res.blob())
  el('a', { href, download: a.filename || `attachment-${a.index}` }).click()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

async function selectMail(id) {
  for (const tr of document.querySelectorAll('#mail-list tbody tr'))
    tr.classList.toggle('selected', tr.dataset.id === String(id))
  const res = await api(`/messages/${encodeURIComponent(id)}`)
  if (!res.ok) {
    clearMailDetail()
    return notice(`message ${id}: ${res.status}`, 'mail')
  }
  notice('', 'mail')
  current = await res.json()
  $('#mail-views').hidden = false
  $('#mail-actions').hidden = false
  $('#mail-summary').replaceChildren(
    el('h2', {}, current.subject ?? '(no subject)'),
    el(
      'p',
      {},
      `from ${current.from ?? current.envelope.from} to ${current.to ?? current.envelope.to.join(', ')} · ${current.plugin} via ${current.via} · ${current.size} bytes`,
    ),
    current.released
      ? el(
          'p',
          { class: 'released' },
          `released to ${current.released.to.join(', ')} at ${new Date(current.released.at).toISOString()}`,
        )
      : '',
  )
  $('#mail-attachments').replaceChildren(
    ...(current.attachments || []).map((a) =>
      el(
        'li',
        {},
        el(
          'a',
          { href: a.url, download: a.filename || `attachment-${a.index}`, onclick: (e) => download(e, a) },
          a.filename || `(unnamed part ${a.index})`,
        ),
        ` ${a.contentType} · ${size(a.size)}${a.inline ? ' · inline' : ''}`,
      ),
    ),
  )
  // The first view with something in it: a text-only message opens on its text.
  view = current.html ? 'html' : current.text ? 'text' : 'headers'
  renderMail()
}

async function renderMail() {
  const out = $('#mail-view')
  for (const b of document.querySelectorAll('#mail-views button'))
    b.classList.toggle('active', b.dataset.view === view)
  if (!current) return out.replaceChildren()
  const shown = current
  if (view === 'html') {
    if (!current.html) return out.replaceChildren(el('p', { class: 'empty' }, 'no HTML part'))
    let html = current.html
    // cid: references to the message's own parts, shown inline.
    for (const a of current.attachments || []) {
      if (!a.contentId || !html.includes(`cid:${a.contentId}`)) continue
      const data = await dataUrl(a.url)
      if (data) html = html.split(`cid:${a.contentId}`).join(data)
    }
    if (current !== shown || view !== 'html') return
    // No scripts, no same-origin access: the message is shown, never run.
    const frame = el('iframe', { sandbox: '', title: 'HTML part' })
    frame.srcdoc = html
    return out.replaceChildren(frame)
  }
  if (view === 'text') return out.replaceChildren(el('pre', {}, current.text || '(no text part)'))
  if (view === 'headers')
    // [name, value] pairs in message order, decoded, as GET /_mailfront/messages/:id gives them.
    return out.replaceChildren(
      el('pre', {}, (current.headers || []).map(([k, v]) => `${k}: ${v}`).join('\n')),
    )
  const raw = await api(`/messages/${encodeURIComponent(current.id)}/raw`)
  out.replaceChildren(el('pre', {}, raw.ok ? await raw.text() : `(raw source unavailable: ${raw.status})`))
}

async function deleteMail() {
  if (!current) return
  const res = await api(`/messages/${encodeURIComponent(current.id)}`, { method: 'DELETE' })
  notice(res.ok ? '' : `delete failed: ${res.status}`, 'mail')
  clearMailDetail()
  loadMail()
}

async function deleteAllMail() {
  if (!confirm('Delete every captured message?')) return
  const res = await api('/messages', { method: 'DELETE' })
  notice(res.ok ? '' : `delete failed: ${res.status}`, 'mail')
  clearMailDetail()
  mailOffset = 0
  loadMail()
}

async function releaseMail() {
  if (!current) return
  const to = prompt(
    'Release to (comma-separated; MAILFRONT_MAIL_RELEASE_ALLOW must permit each):',
    current.envelope.to.join(', '),
  )
  if (to === null) return
  const list = to.split(/[\s,]+/).filter(Boolean)
  const res = await api(`/messages/${encodeURIComponent(current.id)}/release`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: list }),
  })
  const body = await res.json().catch(() => ({}))
  notice(res.ok ? `released to ${list.join(', ')}` : `release refused: ${body.error || res.status}`, 'mail')
  if (res.ok) selectMail(current.id)
}

// ---- Faults
const RATE_LIMIT = 'rateLimit'
const SMTP_COMMANDS = { ehlo: 'EHLO/HELO', auth: 'AUTH', mail: 'MAIL FROM', rcpt: 'RCPT TO', data: 'DATA' }

/** Where a fault applies and what it does, for the list. */
function describeFault(f) {
  if (f.plugin === 'smtp') {
    const where = f.rateLimit ? 'MAIL FROM, per login' : SMTP_COMMANDS[f.stage] || f.stage
    const what = f.rateLimit
      ? `421 after ${f.rateLimit.messages} messages per ${f.rateLimit.perSeconds} s`
      : [f.latencyMs ? `${f.latencyMs} ms` : '', f.reply || '', f.drop ? 'drop' : '']
          .filter(Boolean)
          .join(' ')
    return [where, what]
  }
  const where = [f.method, f.route || f.path || 'every request'].filter(Boolean).join(' ')
  return [
    where,
    [f.latencyMs ? `${f.latencyMs} ms` : '', f.error || '', f.status || ''].filter(Boolean).join(' '),
  ]
}

/** The fields that fit the chosen target: a plugin's HTTP fault, an SMTP stage's, or an SMTP rate limit. */
function showFaultFields() {
  const smtp = $('#fault-form select[name=plugin]').value === 'smtp'
  const rate = smtp && $('#fault-form select[name=stage]').value === RATE_LIMIT
  const shown = {
    http: !smtp,
    'smtp-any': smtp,
    'smtp-stage': smtp && !rate,
    'smtp-rate': rate,
    delay: !rate,
  }
  for (const g of document.querySelectorAll('#fault-form [data-for]')) g.hidden = !shown[g.dataset.for]
}

async function loadFaults() {
  const res = await api('/faults')
  if (!res.ok) return
  const { faults, errors, smtp } = await res.json()
  const select = $('#fault-form select[name=plugin]')
  if (!select.options.length) {
    for (const p of Object.keys(errors)) select.append(el('option', { value: p }, p))
    if (smtp) select.append(el('option', { value: 'smtp' }, 'smtp (the SMTP port)'))
  }
  const stages = $('#fault-form select[name=stage]')
  if (smtp && !stages.options.length) {
    for (const s of smtp.stages) stages.append(el('option', { value: s }, s))
    stages.append(el('option', { value: RATE_LIMIT }, 'rate limit per login'))
  }
  showFaultFields()
  const list = $('#error-codes')
  list.replaceChildren(...(errors[select.value] || []).map((c) => el('option', { value: c })))
  const body = $('#fault-list tbody')
  body.replaceChildren()
  for (const f of faults) {
    const [where, what] = describeFault(f)
    body.append(
      el(
        'tr',
        {},
        el('td', {}, f.id),
        el('td', {}, f.plugin),
        el('td', {}, where),
        el('td', {}, [what, f.probability < 1 ? `p=${f.probability}` : ''].filter(Boolean).join(' ')),
        el('td', {}, f.count ?? '∞'),
        el('td', {}, f.fired),
      ),
    )
  }
  if (!faults.length) body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no faults')))
}

/** The form as a fault body: only the fields shown, numbers as numbers. */
function faultBody() {
  const f = {}
  for (const input of $('#fault-form').querySelectorAll('[name]')) {
    if (input.closest('[hidden]')) continue
    const k = input.name
    const v = input.type === 'checkbox' ? input.checked : input.value.trim()
    if (!v || (k === 'stage' && v === RATE_LIMIT)) continue
    if (k === 'route') f[v.includes('*') ? 'path' : 'route'] = v
    else if (k === 'messages' || k === 'perSeconds') f.rateLimit = { ...f.rateLimit, [k]: Number(v) }
    else f[k] = ['status', 'latencyMs', 'count', 'probability'].includes(k) ? Number(v) : v
  }
  return f
}

async function addFault(e) {
  e.preventDefault()
  const res = await api('/faults', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(faultBody()),
  })
  notice(res.ok ? '' : (await res.json()).error, 'faults')
  loadFaults()
}

const loaders = {
  state: loadState,
  requests: loadRequests,
  mail: loadMail,
  faults: loadFaults,
  webhooks: loadWebhooks, // ui/webhooks.js
}
let panel = 'state'
function open(name) {
  panel = name
  for (const b of document.querySelectorAll('#tabs button'))
    b.classList.toggle('active', b.dataset.panel === name)
  for (const s of document.querySelectorAll('.panel')) s.hidden = s.id !== name
  location.hash = name
  loaders[name]()
}

const pending = new Set()
let timer
function refresh(name) {
  // Bursts of events (a load test) redraw at most five times a second.
  pending.add(name)
  clearTimeout(timer)
  timer = setTimeout(() => {
    for (const n of pending) if (n === panel) loaders[n]()
    pending.clear()
  }, 200)
}

async function live() {
  // fetch rather than EventSource: it can send the admin token.
  const headers = token ? { Authorization: `Bearer ${token}` } : {}
  try {
    const res = await fetch(`${API}/events`, { headers })
    if (!res.ok || !res.body) throw new Error(String(res.status))
    $('#live').textContent = 'live'
    $('#live').className = 'on'
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buf += value
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i)
        buf = buf.slice(i + 2)
        const type = /^event: (.*)$/m.exec(block)?.[1]
        if (type === 'request') refresh('requests')
        // overflow: events were dropped while this tab did not read; reload all, the stream reconnects.
        else if (type === 'reset' || type === 'fixtures' || type === 'overflow')
          ['state', 'requests', 'mail', 'faults', 'webhooks'].forEach(refresh)
        else if (type === 'mail') refresh('mail')
        else if (type === 'webhook') refresh('webhooks')
        else if (type === 'faults') refresh('faults')
      }
    }
  } catch {
    // fall through: retry below
  }
  $('#live').textContent = 'offline'
  $('#live').className = ''
  setTimeout(live, 2000)
}

for (const b of document.querySelectorAll('#tabs button'))
  b.addEventListener('click', () => open(b.dataset.panel))
for (const b of document.querySelectorAll('#mail-views button'))
  b.addEventListener('click', () => {
    view = b.dataset.view
    renderMail()
  })
$('#reset').addEventListener('click', async () => {
  if (!confirm('Reset: empty the store (captured mail included) and load the fixtures again?')) return
  const button = $('#reset')
  const progress = $('#progress')
  button.disabled = true
  progress.hidden = false
  progress.textContent = 'resetting…'
  // The old data leaves the screen at once: nothing deleted stays shown meanwhile.
  clearMailDetail()
  $('#mail-list tbody').replaceChildren()
  $('#request-list tbody').replaceChildren()
  $('#request-detail').replaceChildren()
  $('#state-plugins').replaceChildren()
  mailOffset = 0
  try {
    const res = await api('/reset', { method: 'POST' })
    const body = await res.json().catch(() => ({}))
    notice(res.ok ? '' : `reset failed: ${body.error || res.status}`)
    progress.textContent = res.ok ? `reset in ${body.ms} ms` : 'reset failed'
  } catch (e) {
    notice(`reset failed: ${e.message}`)
    progress.textContent = 'reset failed'
  } finally {
    button.disabled = false
    setTimeout(() => {
      progress.hidden = true
    }, 3000)
  }
  loaders[panel]()
})
$('#mail-search').addEventListener('submit', (e) => {
  e.preventDefault()
  mailSearch = String(new FormData($('#mail-search')).get('q') || '').trim()
  mailOffset = 0
  loadMail()
})
$('#mail-prev').addEventListener('click', () => {
  mailOffset = Math.max(0, mailOffset - PAGE)
  loadMail()
})
$('#mail-next').addEventListener('click', () => {
  mailOffset += PAGE
  loadMail()
})
$('#mail-delete').addEventListener('click', deleteMail)
$('#mail-delete-all').addEventListener('click', deleteAllMail)
$('#mail-release').addEventListener('click', releaseMail)
$('#request-filter').addEventListener('input', () => loadRequests())
$('#clear-requests').addEventListener('click', async () => {
  await api('/requests', { method: 'DELETE' })
  loadRequests()
})
$('#fault-form').addEventListener('submit', addFault)
$('#fault-form select[name=plugin]').addEventListener('change', loadFaults)
$('#fault-form select[name=stage]').addEventListener('change', showFaultFields)
$('#clear-faults').addEventListener('click', async () => {
  await api('/faults', { method: 'DELETE' })
  loadFaults()
})

open(loaders[location.hash.slice(1)] ? location.hash.slice(1) : 'state')
live()
