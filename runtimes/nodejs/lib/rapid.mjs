// HTTP client for the Runtime API (version 2018-06-01) served by Nimbus on
// AWS_LAMBDA_RUNTIME_API ("host:port", no scheme).
//
// All regular traffic goes over one keep-alive connection (an agent with
// maxSockets 1). `next` has no timeout: the instance may sit idle in it for
// hours. Idle pooled sockets are unref'd by node's agent, so the connection
// never keeps the event loop alive by itself — the bootstrap relies on that
// to learn when a handler's event loop has drained.
//
// Error reports that end the process (uncaught exceptions, unhandled
// rejections, init failures) use a fresh connection instead, so they cannot
// queue behind a parked `next` request.

import http from 'node:http';
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

export class RuntimeApiClient {
  constructor(endpoint) {
    const [hostname, port] = String(endpoint).split(':');
    this.hostname = hostname;
    this.port = parseInt(port, 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  // One HTTP exchange. Resolves {status, headers, body: Buffer}; rejects on a
  // transport error. A request that fails with ECONNRESET on a reused
  // keep-alive socket (the server closed it while idle) is retried once on a
  // new connection.
  request(method, path, { headers = {}, body, fresh = false, timeoutMs } = {}, retried = false) {
    return new Promise((resolve, reject) => {
      const options = {
        hostname: this.hostname,
        port: this.port,
        method,
        path,
        headers,
        agent: fresh ? false : this.agent,
      };
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
      req.on('error', (err) => {
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
          this.request(method, path, { headers, body, fresh, timeoutMs }, true).then(resolve, reject);
        } else {
          reject(err);
        }
      });
      req.end(body);
    });
  }

  // Waits for the next invocation: {headers (lower-case names), body: string}.
  async next() {
    const res = await this.request('GET', `${API}/runtime/invocation/next`);
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocation, error ${res.status}`);
    }
    return { headers: res.headers, body: res.body.toString('utf8') };
  }

  // Posts a handler result (already serialised JSON text).
  postResponse(requestId, bodyText) {
    const body = Buffer.from(bodyText, 'utf8');
    return this.request('POST', `${API}/runtime/invocation/${encodeURIComponent(requestId)}/response`, {
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      body,
    });
  }

  // Posts a function error for an invocation.
  postError(requestId, error, { fresh = false } = {}) {
    const doc = toErrorResponse(error);
    const body = Buffer.from(JSON.stringify(doc), 'utf8');
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      [ERROR_TYPE_HEADER]: headerSafe(doc.errorType, 'Unhandled'),
    };
    const cause = asciiJson(xrayCause(error));
    if (cause && cause.length <= XRAY_CAUSE_MAX) headers[XRAY_CAUSE_HEADER] = cause;
    return this.request('POST', `${API}/runtime/invocation/${encodeURIComponent(requestId)}/error`, {
      headers,
      body,
      fresh,
      timeoutMs: fresh ? 2000 : undefined,
    });
  }

  // Posts an initialisation failure (before the first `next`).
  postInitError(error) {
    const doc = toErrorResponse(error);
    const body = Buffer.from(JSON.stringify(doc), 'utf8');
    return this.request('POST', `${API}/runtime/init/error`, {
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        [ERROR_TYPE_HEADER]: headerSafe(doc.errorType, 'Unhandled'),
      },
      body,
      fresh: true,
      timeoutMs: 2000,
    });
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
