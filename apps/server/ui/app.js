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

function notice(text) {
  const n = $('#notice')
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
    notice('The admin API is not available from this address (set MAILFRONT_ADMIN_TOKEN on the server).')
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

// ---- State: each plugin's fixtures export, rendered generically (every list a table).
async function loadState() {
  const res = await api('/fixtures')
  if (!res.ok) return
  const data = await res.json()
  const root = $('#state')
  root.replaceChildren()
  for (const [plugin, section] of Object.entries(data)) {
    const box = el('div', { class: 'plugin', 'data-plugin': plugin }, el('h2', {}, plugin))
    for (const [name, value] of Object.entries(section || {})) {
      box.append(el('h3', {}, `${name}${Array.isArray(value) ? ` (${value.length})` : ''}`))
      if (Array.isArray(value) && value.length && typeof value[0] === 'object') box.append(table(value))
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

// ---- Mail: captured messages; HTML (sandboxed), text, headers and raw source.
let messages = []
let current = null
let view = 'html'
async function loadMail() {
  const res = await api('/messages?limit=100')
  const body = $('#mail-list tbody')
  body.replaceChildren()
  if (!res.ok) {
    body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'captured mail is not available')))
    return
  }
  messages = (await res.json()).messages || []
  for (const m of messages)
    body.append(
      el(
        'tr',
        { 'data-id': m.id, onclick: () => selectMail(m.id) },
        el('td', {}, new Date(m.receivedAt).toISOString().slice(0, 19).replace('T', ' ')),
        el('td', {}, m.plugin),
        el('td', {}, m.envelope.from || '<>'),
        el('td', {}, m.envelope.to.join(', ')),
        el('td', {}, m.subject ?? ''),
        el('td', {}, m.recipients.map((r) => r.state).join(', ')),
      ),
    )
  if (!messages.length) body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no mail yet')))
}

async function selectMail(id) {
  for (const tr of document.querySelectorAll('#mail-list tbody tr'))
    tr.classList.toggle('selected', tr.dataset.id === String(id))
  const res = await api(`/messages/${encodeURIComponent(id)}`)
  if (!res.ok) return
  current = await res.json()
  $('#mail-views').hidden = false
  $('#mail-summary').replaceChildren(
    el('h2', {}, current.subject ?? '(no subject)'),
    el(
      'p',
      {},
      `from ${current.from ?? current.envelope.from} to ${current.to ?? current.envelope.to.join(', ')} · ${current.plugin} via ${current.via} · ${current.size} bytes`,
    ),
  )
  renderMail()
}

async function renderMail() {
  const out = $('#mail-view')
  for (const b of document.querySelectorAll('#mail-views button'))
    b.classList.toggle('active', b.dataset.view === view)
  if (!current) return out.replaceChildren()
  if (view === 'html') {
    if (!current.html) return out.replaceChildren(el('p', { class: 'empty' }, 'no HTML part'))
    // No scripts, no same-origin access: the message is shown, never run.
    const frame = el('iframe', { sandbox: '', title: 'HTML part' })
    frame.srcdoc = current.html
    return out.replaceChildren(frame)
  }
  if (view === 'text') return out.replaceChildren(el('pre', {}, current.text || '(no text part)'))
  if (view === 'headers') {
    // [name, value] pairs in message order, as GET /_mailfront/messages/:id gives them.
    const lines = (current.headers || []).map(([k, v]) => `${k}: ${v}`)
    const files = (current.attachments || []).map(
      (a) => `attachment: ${a.filename || '(unnamed)'} ${a.contentType} ${a.size} bytes`,
    )
    return out.replaceChildren(el('pre', {}, [...lines, ...files].join('\n')))
  }
  const raw = await api(`/messages/${encodeURIComponent(current.id)}/raw`)
  out.replaceChildren(el('pre', {}, raw.ok ? await raw.text() : `(raw source unavailable: ${raw.status})`))
}

// ---- Faults
async function loadFaults() {
  const res = await api('/faults')
  if (!res.ok) return
  const { faults, errors } = await res.json()
  const select = $('#fault-form select[name=plugin]')
  if (!select.options.length)
    for (const p of Object.keys(errors)) select.append(el('option', { value: p }, p))
  const list = $('#error-codes')
  list.replaceChildren(...(errors[select.value] || []).map((c) => el('option', { value: c })))
  const body = $('#fault-list tbody')
  body.replaceChildren()
  for (const f of faults)
    body.append(
      el(
        'tr',
        {},
        el('td', {}, f.id),
        el('td', {}, f.plugin),
        el('td', {}, [f.method, f.route || f.path || 'every request'].filter(Boolean).join(' ')),
        el(
          'td',
          {},
          [
            f.latencyMs ? `${f.latencyMs} ms` : '',
            f.error || '',
            f.status || '',
            f.probability < 1 ? `p=${f.probability}` : '',
          ]
            .filter(Boolean)
            .join(' '),
        ),
        el('td', {}, f.count ?? '∞'),
        el('td', {}, f.fired),
      ),
    )
  if (!faults.length) body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no faults')))
}

async function addFault(e) {
  e.preventDefault()
  const f = {}
  for (const [k, v] of new FormData($('#fault-form'))) {
    if (!v) continue
    if (k === 'route') f[v.includes('*') ? 'path' : 'route'] = v
    else f[k] = ['status', 'latencyMs', 'count'].includes(k) ? Number(v) : v
  }
  const res = await api('/faults', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(f),
  })
  notice(res.ok ? '' : (await res.json()).error)
  loadFaults()
}

// ---- Panels, reset, live updates
const loaders = { state: loadState, requests: loadRequests, mail: loadMail, faults: loadFaults }
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
        else if (type === 'reset' || type === 'fixtures')
          ['state', 'requests', 'mail', 'faults'].forEach(refresh)
        else if (type === 'mail') refresh('mail')
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
  const res = await api('/reset', { method: 'POST' })
  notice(res.ok ? '' : `reset failed: ${res.status}`)
  loaders[panel]()
})
$('#request-filter').addEventListener('input', () => loadRequests())
$('#clear-requests').addEventListener('click', async () => {
  await api('/requests', { method: 'DELETE' })
  loadRequests()
})
$('#fault-form').addEventListener('submit', addFault)
$('#fault-form select[name=plugin]').addEventListener('change', loadFaults)
$('#clear-faults').addEventListener('click', async () => {
  await api('/faults', { method: 'DELETE' })
  loadFaults()
})

open(loaders[location.hash.slice(1)] ? location.hash.slice(1) : 'state')
live()
