// A fake Runtime API (2018-06-01) for the bootstrap tests.
//
// It serves queued invocations on GET /runtime/invocation/next (parking the
// request while the queue is empty, as the platform does), and records what
// the bootstrap posts: responses (buffered or streamed, with trailers),
// invocation errors and init errors. POST /marker lets a handler drop a
// timestamped marker into the same ordered record, so tests can tell whether
// something happened before or after a response. With `batch` set it also
// serves Nimbus's batch `next` (GET /runtime/invocation/next-batch?max=N),
// answering with every queued invocation up to N; otherwise that path is
// unknown (404), as on a server without it.

import http from 'node:http';
import { randomUUID } from 'node:crypto';

const API = '/2018-06-01';

export class FakeRuntimeApi {
  constructor() {
    this.queue = []; // invocations not yet handed out
    this.parked = []; // GET next requests waiting for an invocation
    this.served = []; // invocations handed out, in order
    this.log = []; // every recorded post, in arrival order
    this.connections = 0; // TCP connections accepted
    this.requests = []; // {method, url, connection}
    this.waiters = [];
    // When set, the answer to a posted response or error is held until the
    // runtime's next GET /next arrives (recorded as `pipelined: true` on the
    // post) or for at most a second (`pipelined: false`).
    this.holdResultAnswers = false;
    this.batch = false;
    this.batchAnswers = []; // request ids of each batch answer, in order
    this.held = [];
    this.server = http.createServer((req, res) => this.#route(req, res));
    this.server.keepAliveTimeout = 0; // never close an idle keep-alive connection
    this.server.on('connection', (socket) => {
      socket.connectionId = ++this.connections;
    });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this.port;
  }

  get endpoint() {
    return `127.0.0.1:${this.port}`;
  }

  // Queues an invocation. `event` is JSON-encoded unless `rawBody` is given.
  // Headers default to a fresh request id and a deadline 30 s from now.
  enqueue({ event = {}, rawBody, requestId = randomUUID(), headers = {} } = {}) {
    const inv = {
      requestId,
      body: rawBody !== undefined ? rawBody : JSON.stringify(event),
      headers: {
        'Lambda-Runtime-Aws-Request-Id': requestId,
        'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30000),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:fn',
        ...headers,
      },
    };
    this.queue.push(inv);
    this.#dispatch();
    return requestId;
  }

  get responses() {
    return this.log.filter((e) => e.kind === 'response');
  }
  get errors() {
    return this.log.filter((e) => e.kind === 'error');
  }
  get initErrors() {
    return this.log.filter((e) => e.kind === 'init-error');
  }
  get results() {
    return this.log.filter((e) => e.kind === 'response' || e.kind === 'error');
  }
  get markers() {
    return this.log.filter((e) => e.kind === 'marker');
  }

  // Resolves once `predicate(this)` holds (checked after every record).
  waitFor(predicate) {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  async close() {
    for (const res of this.parked) res.destroy();
    this.parked = [];
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #notify() {
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(this)) return true;
      w.resolve();
      return false;
    });
  }

  #dispatch() {
    while (this.queue.length && this.parked.length) {
      const res = this.parked.shift();
      if (res.destroyed) continue;
      if (res.batchMax) {
        const invs = this.queue.splice(0, res.batchMax);
        this.served.push(...invs);
        this.batchAnswers.push(invs.map((inv) => inv.requestId));
        const parts = invs.map((inv) => {
          const body = Buffer.from(inv.body, 'utf8');
          let head = '';
          for (const [name, value] of Object.entries(inv.headers)) head += `${name}: ${value}\r\n`;
          head += `Content-Length: ${body.length}\r\n\r\n`;
          return Buffer.concat([Buffer.from(head, 'latin1'), body]);
        });
        const body = Buffer.concat(parts);
        res.writeHead(200, {
          'Content-Type': 'application/vnd.nimbus.invocation-batch',
          'Content-Length': body.length,
        });
        res.end(body);
        continue;
      }
      const inv = this.queue.shift();
      this.served.push(inv);
      const body = Buffer.from(inv.body, 'utf8');
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        ...inv.headers,
      });
      res.end(body);
    }
  }

  #release(held, pipelined) {
    clearTimeout(held.timer);
    this.held = this.held.filter((h) => h !== held);
    held.record.pipelined = pipelined;
    this.#answer(held.res, 202, { status: 'OK' });
  }

  #answer(res, status, doc) {
    const body = Buffer.from(JSON.stringify(doc));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }

  #route(req, res) {
    this.requests.push({ method: req.method, url: req.url, connection: req.socket.connectionId });
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = req.url;
      if (req.method === 'GET' && url === `${API}/runtime/invocation/next`) {
        for (const held of [...this.held]) this.#release(held, true);
        this.parked.push(res);
        this.#dispatch();
        return;
      }
      const batchNext = /^\/2018-06-01\/runtime\/invocation\/next-batch\?max=(\d+)$/.exec(url);
      if (this.batch && req.method === 'GET' && batchNext) {
        res.batchMax = Number(batchNext[1]);
        this.parked.push(res);
        this.#dispatch();
        return;
      }
      if (req.method === 'POST' && url === '/marker') {
        this.log.push({ kind: 'marker', body: raw.toString('utf8'), at: Date.now() });
        this.#notify();
        return this.#answer(res, 200, {});
      }
      let m;
      if (req.method === 'POST' && (m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url))) {
        const requestId = decodeURIComponent(m[1]);
        const record = {
          kind: m[2],
          requestId,
          headers: req.headers,
          trailers: req.trailers,
          raw,
          text: raw.toString('utf8'),
          at: Date.now(),
        };
        try {
          record.body = JSON.parse(record.text);
        } catch {
          record.body = undefined;
        }
        this.log.push(record);
        this.#notify();
        if (!this.served.some((inv) => inv.requestId === requestId)) {
          return this.#answer(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
        }
        if (this.holdResultAnswers) {
          const held = { res, record };
          held.timer = setTimeout(() => this.#release(held, false), 1000);
          this.held.push(held);
          return;
        }
        return this.#answer(res, 202, { status: 'OK' });
      }
      if (req.method === 'POST' && url === `${API}/runtime/init/error`) {
        const text = raw.toString('utf8');
        this.log.push({ kind: 'init-error', headers: req.headers, text, body: JSON.parse(text), at: Date.now() });
        this.#notify();
        return this.#answer(res, 202, { status: 'OK' });
      }
      this.#answer(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
    });
  }
}
