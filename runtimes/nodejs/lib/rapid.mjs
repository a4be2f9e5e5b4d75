// HTTP client for the Runtime API (version 2018-06-01) served by Nimbus on
// AWS_LAMBDA_RUNTIME_API ("host:port", no scheme).
//
// The regular traffic (`next`, responses, errors) goes over one kept-alive
// connection spoken by a small HTTP/1.1 client of our own (`Connection`
// below) rather than node's http module: each invocation costs two exchanges,
// and node's general-purpose client spends several times more CPU on them
// than the handler of a typical API route does. Requests may be pipelined: a
// response is written together with the `next` that follows it, in one
// segment, and the answers come back in order. `next` has no timeout: the
// instance may sit idle in it for hours.
//
// The connection keeps the event loop alive only while it has a request
// outstanding, so the bootstrap can learn when a handler's event loop has
// drained (process 'beforeExit').
//
// Error reports that end the process (uncaught exceptions, unhandled
// rejections, init failures) use a fresh connection through node's http
// module instead, so they cannot queue behind a parked `next` request;
// streamed responses use node's http module too (chunked bodies, trailers).

import http from 'node:http';
import net from 'node:net';
import { toErrorResponse, xrayCause } from './errors.mjs';

const API = '/2018-06-01';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const XRAY_CAUSE_HEADER = 'Lambda-Runtime-Function-XRay-Error-Cause';
// Bigger X-Ray causes are left out rather than risk the request being
// refused for its header size.
const XRAY_CAUSE_MAX = 8 * 1024;

// Header values must be printable latin-1 for node to send them.
function headerSafe(value, fallback) {
  const s = String(value);
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(s) ? s : fallback;
}

// Same JSON, with non-ASCII characters written as \uXXXX escapes.
function asciiJson(text) {
  return text.replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// JSON text of a handler result; `undefined` is sent as `null`.
export function serializeResult(result) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
  // Values JSON cannot express at top level (functions, symbols) become null.
  return text === undefined ? 'null' : text;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

// Thrown into a pending request when its connection ends before the answer.
class ConnectionLost extends Error {}

// One HTTP/1.1 connection carrying requests in order (pipelining allowed).
// Answers are framed by Content-Length or chunked encoding. Requests written
// in the same tick leave in one write. When the connection ends, requests
// that got no answer are retried once on a new connection.
class Connection {
  constructor(hostname, port) {
    this.hostname = hostname;
    this.port = port;
    this.socket = null;
    this.pending = []; // {bytes, resolve, reject, retried}, oldest first
    this.queued = []; // encoded requests not yet written
    this.input = Buffer.alloc(0);
  }

  request(method, path, headers, body) {
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostname}:${this.port}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${body ? body.length : 0}\r\n\r\n`;
    const bytes = body && body.length ? [Buffer.from(head, 'latin1'), body] : [Buffer.from(head, 'latin1')];
    return new Promise((resolve, reject) => this.#send({ bytes, resolve, reject, retried: false }));
  }

  #send(entry) {
    if (!this.socket) this.#open();
    this.pending.push(entry);
    this.socket.ref();
    if (this.queued.length === 0) process.nextTick(() => this.#flush());
    this.queued.push(...entry.bytes);
  }

  #flush() {
    if (this.queued.length === 0 || !this.socket) return;
    const out = this.queued.length === 1 ? this.queued[0] : Buffer.concat(this.queued);
    this.queued = [];
    this.socket.write(out);
  }

  #open() {
    const socket = net.connect({ host: this.hostname, port: this.port });
    socket.setNoDelay(true);
    socket.unref();
    socket.on('data', (chunk) => {
      if (socket !== this.socket) return;
      this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk;
      try {
        this.#parse();
      } catch (err) {
        this.#lost(socket, err);
      }
    });
    socket.on('error', (err) => this.#lost(socket, err));
    socket.on('close', () => this.#lost(socket, new ConnectionLost('Runtime API connection closed')));
    this.socket = socket;
    this.input = Buffer.alloc(0);
  }

  // The connection ended: requests without an answer are sent again on a new
  // connection (once each); those already retried fail.
  #lost(socket, err) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.queued = [];
    socket.destroy();
    const unanswered = this.pending;
    this.pending = [];
    for (const entry of unanswered) {
      if (entry.retried) {
        entry.reject(err);
      } else {
        entry.retried = true;
        this.#send(entry);
      }
    }
  }

  // Takes every complete answer off the front of the input.
  #parse() {
    while (this.input.length > 0) {
      const end = this.input.indexOf(CRLF_CRLF);
      if (end < 0) {
        if (this.input.length > MAX_HEAD) throw new Error('Runtime API answer headers too large');
        return;
      }
      const lines = this.input.toString('latin1', 0, end).split('\r\n');
      const status = parseInt(lines[0].split(' ')[1], 10);
      const headers = parseHeaderLines(lines, 1);
      const start = end + 4;
      let body;
      let next;
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const decoded = dechunk(this.input, start);
        if (!decoded) return;
        ({ body, next } = decoded);
      } else {
        const length = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
        if (this.input.length < start + length) return;
        body = this.input.subarray(start, start + length);
        next = start + length;
      }
      this.input = this.input.subarray(next);
      const entry = this.pending.shift();
      if (this.pending.length === 0) this.socket?.unref();
      if (/close/i.test(headers.connection ?? '')) this.#lost(this.socket, new ConnectionLost('Runtime API closed the connection'));
      if (entry) entry.resolve({ status, headers, body: Buffer.from(body) });
    }
  }
}

// Header lines from `lines[first]` on, as {lower-case name: value}; repeated
// names are joined with commas.
function parseHeaderLines(lines, first) {
  const headers = {};
  for (let i = first; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

// The events of a batch `next` answer: blocks of headers, each ending with
// Content-Length and an empty line, followed by that many bytes of payload.
export function splitBatch(buffer) {
  const events = [];
  let pos = 0;
  while (pos < buffer.length) {
    const end = buffer.indexOf(CRLF_CRLF, pos);
    if (end < 0) throw new Error('Runtime API batch answer is malformed: headers do not end');
    const headers = parseHeaderLines(buffer.toString('latin1', pos, end).split('\r\n'), 0);
    const length = Number(headers['content-length']);
    const start = end + 4;
    if (!Number.isInteger(length) || length < 0 || start + length > buffer.length) {
      throw new Error('Runtime API batch answer is malformed: bad Content-Length');
    }
    events.push({ headers, body: buffer.toString('utf8', start, start + length) });
    pos = start + length;
  }
  return events;
}

// A chunked body starting at `pos`: {body, next} once complete, else null.
function dechunk(input, pos) {
  const parts = [];
  for (;;) {
    const eol = input.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return null;
    const size = parseInt(input.toString('latin1', pos, eol), 16);
    if (Number.isNaN(size)) throw new Error('Runtime API answer has a malformed chunk');
    pos = eol + 2;
    if (size === 0) {
      // Trailers (ignored) end with an empty line.
      const end = input.indexOf('\r\n', pos, 'latin1') === pos ? pos : input.indexOf(CRLF_CRLF, pos);
      if (end < 0) return null;
      return { body: Buffer.concat(parts), next: end === pos ? pos + 2 : end + 4 };
    }
    if (input.length < pos + size + 2) return null;
    parts.push(input.subarray(pos, pos + size));
    pos += size + 2;
  }
}

export class RuntimeApiClient {
  constructor(endpoint) {
    const [hostname, port] = String(endpoint).split(':');
    this.hostname = hostname;
    this.port = parseInt(port, 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.connection = new Connection(this.hostname, this.port);
  }

  // One exchange on a connection of its own, for reports that must not wait
  // behind a parked `next`. Resolves {status, headers, body: Buffer}; rejects
  // on a transport error or after `timeoutMs`.
  requestFresh(method, path, headers, body, timeoutMs) {
    return new Promise((resolve, reject) => {
      const options = { hostname: this.hostname, port: this.port, method, path, headers, agent: false };
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  // Waits for the next invocation: {headers (lower-case names), body: string}.
  async next() {
    const res = await this.connection.request('GET', `${API}/runtime/invocation/next`, {});
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocation, error ${res.status}`);
    }
    return { headers: res.headers, body: res.body.toString('utf8') };
  }

  // Waits for 1 to `max` invocations at once (Nimbus's batch `next`):
  // [{headers (lower-case names), body: string}], or null when the server
  // does not offer it.
  async nextBatch(max) {
    const res = await this.connection.request('GET', `${API}/runtime/invocation/next-batch?max=${max}`, {});
    if (res.status === 404) return null;
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocations, error ${res.status}`);
    }
    return splitBatch(res.body);
  }

  // Posts a handler result (already serialised JSON text).
  postResponse(requestId, bodyText) {
    const body = Buffer.from(bodyText, 'utf8');
    return this.connection.request(
      'POST',
      `${API}/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      { 'Content-Type': 'application/json' },
      body,
    );
  }

  // Posts a function error for an invocation.
  postError(requestId, error, { fresh = false } = {}) {
    const doc = toErrorResponse(error);
    const body = Buffer.from(JSON.stringify(doc), 'utf8');
    const headers = {
      'Content-Type': 'application/json',
      [ERROR_TYPE_HEADER]: headerSafe(doc.errorType, 'Unhandled'),
    };
    const cause = asciiJson(xrayCause(error));
    if (cause && cause.length <= XRAY_CAUSE_MAX) headers[XRAY_CAUSE_HEADER] = cause;
    const path = `${API}/runtime/invocation/${encodeURIComponent(requestId)}/error`;
    if (!fresh) return this.connection.request('POST', path, headers, body);
    headers['Content-Length'] = body.length;
    return this.requestFresh('POST', path, headers, body, 2000);
  }

  // Posts an initialisation failure (before the first `next`).
  postInitError(error) {
    const doc = toErrorResponse(error);
    const body = Buffer.from(JSON.stringify(doc), 'utf8');
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      [ERROR_TYPE_HEADER]: headerSafe(doc.errorType, 'Unhandled'),
    };
    return this.requestFresh('POST', `${API}/runtime/init/error`, headers, body, 2000);
  }

  // Opens a streamed response (Lambda-Runtime-Function-Response-Mode:
  // streaming, chunked body, error trailers). Returns the ClientRequest and a
  // promise of the server's answer.
  openStream(requestId, contentType) {
    let req;
    const done = new Promise((resolve, reject) => {
      req = http.request(
        {
          hostname: this.hostname,
          port: this.port,
          method: 'POST',
          path: `${API}/runtime/invocation/${encodeURIComponent(requestId)}/response`,
          agent: this.agent,
          headers: {
            'Lambda-Runtime-Function-Response-Mode': 'streaming',
            'Transfer-Encoding': 'chunked',
            Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
            'Content-Type': contentType,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
    return { req, done };
  }
}
