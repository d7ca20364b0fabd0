// receiver.mjs: a local Web Push service for tests and benchmarks, written
// independently of the Go sender. It hands out subscriptions, checks each
// push's VAPID header (RFC 8292), decrypts its aes128gcm body (RFC 8291)
// with http_ece and records it. Control routes start with /_.
//
//   node receiver.mjs [port] [--count-only]   prints "LISTENING <port>"
//
// --count-only (benchmarks): checks the VAPID claims of every push but its
// signature only on the first push under each key and on every 100th push
// (a fan-out sends one push per subscription, and a check costs ~70 µs),
// decrypts and records every 100th push, and only counts the others.
import crypto from 'node:crypto';
import http from 'node:http';
import ece from 'http_ece';

const args = process.argv.slice(2);
const countOnly = args.includes('--count-only');
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
const SAMPLE = 100;

const subs = new Map(); // id -> {ecdh, auth, gone}
const keys = new Map(); // VAPID k -> {key: KeyObject, verified}
const rules = new Map(); // id or '*' -> {status, count, retryAfter}
let origin = '';
let nextID = 1;
let received, failures, stats, seen, cpuAtReset;
function reset() {
  received = []; failures = []; rules.clear(); seen = 0;
  stats = { delivered: 0, failed: 0, bytes: 0, header_bytes: 0, first_at: null, last_at: null, cpu_ms: 0 };
  cpuAtReset = process.cpuUsage();
  for (const k of keys.values()) k.verified = false;
}
reset();

const b64 = (buf) => buf.toString('base64url');

function newSubscription() {
  const id = `s${nextID++}-${b64(crypto.randomBytes(6))}`;
  const ecdh = crypto.createECDH('prime256v1');
  const pub = ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  subs.set(id, { ecdh, auth, gone: false });
  return { endpoint: `${origin}/push/${id}`, keys: { p256dh: b64(pub), auth: b64(auth) } };
}

// checkVapid returns why the Authorization header is not a valid VAPID
// header for this service, or '' when it is. With lazy, it skips the
// signature check if this key has a verified signature already.
function checkVapid(header, lazy) {
  const m = /^vapid\s+(.+)$/i.exec(header ?? '');
  if (!m) return 'Authorization is not "vapid t=..., k=..."';
  const p = Object.fromEntries(m[1].split(',').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()];
  }));
  const parts = (p.t ?? '').split('.');
  const k = Buffer.from(p.k ?? '', 'base64url');
  if (parts.length !== 3) return 'VAPID t is not a JWT';
  if (k.length !== 65 || k[0] !== 4) return 'VAPID k is not an uncompressed P-256 key';
  let head, claims;
  try {
    head = JSON.parse(Buffer.from(parts[0], 'base64url'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  } catch { return 'VAPID JWT is not JSON'; }
  if (head.alg !== 'ES256') return `VAPID JWT alg ${head.alg}, want ES256`;
  let kk = keys.get(p.k);
  if (!kk) {
    try {
      kk = { verified: false, key: crypto.createPublicKey({ format: 'jwk', key: {
        kty: 'EC', crv: 'P-256', x: b64(k.subarray(1, 33)), y: b64(k.subarray(33)) } }) };
    } catch { return 'VAPID k is not a point on P-256'; }
    keys.set(p.k, kk);
  }
  if (!lazy || !kk.verified) {
    const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: kk.key, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
    if (!ok) return 'VAPID JWT signature does not match k';
    kk.verified = true;
  }
  const now = Date.now() / 1000;
  if (claims.aud !== origin) return `VAPID aud ${claims.aud}, want ${origin}`;
  if (!(claims.exp > now)) return 'VAPID JWT expired';
  if (claims.exp > now + 86400) return 'VAPID exp more than 24 h ahead';
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return `VAPID sub ${claims.sub} is not mailto: or https:`;
  return '';
}

function push(req, res, id, body) {
  const sub = subs.get(id);
  if (!sub) return send(res, 404, 'no such subscription');
  if (sub.gone) return send(res, 410, 'subscription gone');
  const rule = [rules.get(id), rules.get('*')].find((r) => r?.count > 0);
  if (rule) {
    rule.count--;
    const h = rule.retryAfter != null ? { 'Retry-After': String(rule.retryAfter) } : {};
    return send(res, rule.status, 'injected failure', h);
  }
  const fail = (reason) => {
    stats.failed++;
    if (failures.length < 1000) failures.push({ id, reason, at: Date.now() });
    send(res, 400, reason);
  };
  const sample = seen++ % SAMPLE === 0;
  const why = checkVapid(req.headers.authorization, countOnly && !sample);
  if (why) return fail(why);
  if (req.headers['content-encoding'] !== 'aes128gcm') return fail('Content-Encoding is not aes128gcm');
  if (req.headers.ttl === undefined) return fail('no TTL header');
  let payload = null;
  if (!countOnly || sample) {
    try {
      payload = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth }).toString('utf8');
    } catch (e) { return fail(`decryption failed: ${e.message}`); }
  }
  let headerBytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2) headerBytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  const at = Date.now();
  stats.delivered++; stats.bytes += body.length; stats.header_bytes += headerBytes;
  stats.first_at ??= at; stats.last_at = at;
  if (payload !== null) {
    received.push({ id, payload, ttl: req.headers.ttl, topic: req.headers.topic ?? '',
      urgency: req.headers.urgency ?? '', bytes: body.length, headerBytes, at });
  }
  send(res, 201, '', { Location: `/m/${stats.delivered}` });
}

function send(res, status, body, headers = {}) {
  if (status === 204) return res.writeHead(204, headers).end();
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function control(req, res, path, query, body) {
  const j = body.length ? JSON.parse(body) : {};
  const sub = subs.get(j.id);
  switch (`${req.method} ${path}`) {
    case 'POST /_new': return send(res, 200, newSubscription());
    case 'POST /_bulk_new': return send(res, 200, Array.from({ length: j.n }, newSubscription));
    case 'POST /_fail':
      if (!sub && j.id !== '*') return send(res, 404, 'no such subscription');
      rules.set(j.id, { status: j.status, count: j.count ?? 1, retryAfter: j.retry_after });
      return send(res, 204, '');
    case 'POST /_gone':
      if (!sub) return send(res, 404, 'no such subscription');
      sub.gone = true;
      return send(res, 204, '');
    case 'GET /_received': {
      const id = query.get('id');
      return send(res, 200, id ? received.filter((m) => m.id === id) : received);
    }
    case 'GET /_failures': return send(res, 200, failures);
    case 'GET /_stats': {
      const cpu = process.cpuUsage(cpuAtReset);
      return send(res, 200, { ...stats, cpu_ms: (cpu.user + cpu.system) / 1000 });
    }
    case 'POST /_reset': reset(); return send(res, 204, '');
  }
  send(res, 404, 'no such route');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const u = new URL(req.url, origin);
    try {
      if (u.pathname.startsWith('/push/')) push(req, res, u.pathname.slice(6), body);
      else control(req, res, u.pathname, u.searchParams, body);
    } catch (e) { send(res, 500, String(e.stack ?? e)); }
  });
});
// Longer than any pause in a test, so Go's client never reuses a
// connection the server is closing (it does not retry a POST).
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1', () => {
  const p = server.address().port;
  origin = `http://127.0.0.1:${p}`;
  process.stdout.write(`LISTENING ${p}\n`);
});
