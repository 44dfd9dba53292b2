// The bench's webhook receiver, in a worker thread so that receiving and verifying do not share
// the dispatcher's event loop. One node:http server; each endpoint is a path (/ep0, /ep1, …).
// Every request is verified with the standardwebhooks package and counted by (path, webhook-id).
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { Webhook } = require('standardwebhooks');

const verifiers = new Map(); // path → Webhook
const seen = new Map(); // `${path} ${id}` → times received
let requests = 0;
let badSignatures = 0;
let firstAt = 0;
let lastAt = 0;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    requests++;
    lastAt = Date.now();
    if (!firstAt) firstAt = lastAt;
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id']);
    const verifier = verifiers.get(req.url);
    try {
      verifier.verify(body, {
        'webhook-id': id,
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      });
    } catch {
      badSignatures++;
    }
    const key = `${req.url} ${id}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    res.writeHead(workerData.status ?? 204);
    res.end();
  });
});

parentPort.on('message', (msg) => {
  if (msg.type === 'secrets') {
    for (const [path, secret] of Object.entries(msg.secrets)) verifiers.set(path, new Webhook(secret));
    parentPort.postMessage({ type: 'ready' });
  } else if (msg.type === 'report') {
    let duplicates = 0;
    for (const n of seen.values()) duplicates += n - 1;
    parentPort.postMessage({ type: 'report', requests, unique: seen.size, duplicates, badSignatures, firstAt, lastAt });
  } else if (msg.type === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
