// push-baseline.mjs: the Node baseline of the push fan-out benchmark
// (push_baseline_test.go). It sends one payload to every subscription of a
// job file with npm web-push 3.6.7 and prints its figures as JSON:
//
//   node push-baseline.mjs job.json
//   job: {"subscriptions": [PushSubscription.toJSON()...], "payload": "...",
//         "ttl": 300, "urgency": "high", "concurrency": 64,
//         "vapid": {"subject": "mailto:...", "publicKey": "...", "privateKey": "..."}}
//
// web-push's sendNotification always uses https, and the local receiver is
// plain http, so this sends what web-push.generateRequestDetails builds (the
// encryption and the VAPID header, all of web-push's work) with node's http
// and a keep-alive agent, as sendNotification does with https.
import fs from 'node:fs';
import http from 'node:http';
import webpush from 'web-push';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const subs = job.subscriptions;
const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
const options = { vapidDetails: job.vapid, TTL: job.ttl, urgency: job.urgency };

function post(d) {
  return new Promise((resolve, reject) => {
    const req = http.request(d.endpoint, { method: d.method, headers: d.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(d.body);
  });
}

const statuses = {};
let next = 0;
async function worker() {
  while (next < subs.length) {
    const d = webpush.generateRequestDetails(subs[next++], job.payload, options);
    const code = await post(d);
    statuses[code] = (statuses[code] ?? 0) + 1;
  }
}

const start = process.hrtime.bigint();
await Promise.all(Array.from({ length: job.concurrency }, worker));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
console.log(JSON.stringify({ name: 'web-push 3.6.7 (node)', n: subs.length, seconds, rate: subs.length / seconds, statuses }));
