// Response streaming for handlers wrapped with awslambda.streamifyResponse().
//
// Such a handler is called as handler(event, responseStream, context) and must
// return a promise. Bytes written to responseStream go to the Runtime API as
// one chunked POST to /invocation/{id}/response with
// "Lambda-Runtime-Function-Response-Mode: streaming". If the handler fails, the
// error is sent as the HTTP trailers Lambda-Runtime-Function-Error-Type and
// Lambda-Runtime-Function-Error-Body (base64 of the error JSON).
//
// awslambda.HttpResponseStream.from(stream, prelude) switches the content type
// to application/vnd.awslambda.http-integration-response and puts the JSON
// prelude ({statusCode, headers, cookies}) plus 8 NUL bytes before the body.

import { Writable } from 'node:stream';
import { InvalidStreamingOperation, MalformedStreamingHandler, toErrorResponse } from './errors.mjs';

// Registry symbols, so handler bundles that mark handlers themselves (instead
// of calling the global) are recognised too.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const MODE_RESPONSE = 'response';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = new Uint8Array(8);

export class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(PRELUDE_DELIMITER);
    };
    return stream;
  }
}

// Defines globalThis.awslambda unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is
// "1" or "true".
export function installAwsLambdaGlobal(env = process.env) {
  const off = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = MODE_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

// {highWaterMark} when the handler is marked for streaming, null when it is a
// buffered handler; throws for an unknown marking.
export function streamingOptions(handler) {
  const mode = handler[STREAMING];
  if (mode === undefined || mode === null || mode === false) return null;
  if (mode !== MODE_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  const hwm = parseInt(handler[HIGH_WATER_MARK], 10);
  return { highWaterMark: Number.isNaN(hwm) ? undefined : hwm };
}

// The stream handed to a streaming handler. The POST is opened on the first
// write (or at end/failure), so setContentType() works until then.
export class ResponseStream extends Writable {
  constructor(client, requestId, highWaterMark) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this._client = client;
    this._requestId = requestId;
    this._contentType = DEFAULT_CONTENT_TYPE;
    this._req = null;
    this._done = null;
    this._onBeforeFirstWrite = undefined;
    this._preludeWritten = false;
  }

  setContentType(contentType) {
    if (this._req) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    this._contentType = contentType;
  }

  // Objects that are not strings or byte arrays are written as JSON text.
  write(chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    return super.write(chunk, encoding, callback);
  }

  // Promise of the Runtime API's answer to the POST (opens it if needed).
  get responseDone() {
    this._open();
    return this._done;
  }

  _open() {
    if (this._req) return;
    const { req, done } = this._client.openStream(this._requestId, this._contentType);
    this._req = req;
    this._done = done;
    // Keep a rejected answer from surfacing as an unhandled rejection before
    // the runtime awaits it.
    done.catch(() => {});
    if (!this._preludeWritten && typeof this._onBeforeFirstWrite === 'function') {
      this._preludeWritten = true;
      this._onBeforeFirstWrite((c) => req.write(c));
    }
  }

  _write(chunk, encoding, callback) {
    this._open();
    if (this._req.write(chunk, encoding)) callback();
    else this._req.once('drain', () => callback());
  }

  _final(callback) {
    this._open();
    this._req.end(() => callback());
  }

  // Ends the POST with the error in the trailers.
  fail(err) {
    this._open();
    const doc = toErrorResponse(err);
    try {
      this._req.addTrailers({
        'Lambda-Runtime-Function-Error-Type': String(doc.errorType).replace(/[^\t\x20-\x7e]/g, '?'),
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64'),
      });
    } catch {
      // The body was already ended; nothing more can be sent.
    }
    if (!this._req.writableEnded) this._req.end();
    return this._done;
  }
}
