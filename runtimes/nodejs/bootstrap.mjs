// Nimbus Node.js runtime bootstrap (runtimes nodejs18.x / nodejs20.x / nodejs22.x).
//
// Started by the platform inside the function sandbox, with the task root as
// working directory:
//     node /var/runtime/bootstrap.mjs
// It patches the console, loads the handler named by _HANDLER from
// LAMBDA_TASK_ROOT, then loops on the Runtime API at AWS_LAMBDA_RUNTIME_API:
// GET next -> run the handler -> POST response or error.
//
// Handler completion follows Lambda's Node.js programming model:
//  * a returned promise (async handlers) settles the invocation at once;
//  * callback(err, result) settles it; with context.callbackWaitsForEmptyEventLoop
//    true (the default) a successful result is posted only once the event loop
//    has drained, with false it is posted immediately;
//  * context.succeed/fail/done settle it at once; the first of callback,
//    succeed, fail, done (or the returned promise) wins;
//  * a handler that returns no promise and never calls back is answered with
//    `null` when the event loop drains; an `async` handler whose promise is
//    still pending when the loop drains fails with Runtime.NodeJsExit.
// Draining is observed through process 'beforeExit'.
//
// With AWS_LAMBDA_MAX_CONCURRENCY above 1 (Lambda Managed Instances'
// multi-concurrency) the bootstrap runs that many invocations at once, each
// slot on a Runtime API connection of its own; see "Several at once" below.
//
// Fatal errors: an uncaught exception (exit code 129) or an unhandled promise
// rejection (exit code 128) is posted as the error of the current invocation
// (or as the init error before the first one) and the process exits; the
// platform then replaces the instance. A handler that cannot be loaded is
// posted to /runtime/init/error and the process exits with 129.

import {
  NodeJsExit,
  UnhandledPromiseRejection,
} from './lib/errors.mjs';
import { loadHandler } from './lib/loader.mjs';
import {
  enableConcurrentInvocations,
  logError,
  patchConsole,
  runInInvocation,
  setCurrentRequestId,
  setCurrentTenantId,
} from './lib/logging.mjs';
import { RuntimeApiClient, serializeResult } from './lib/rapid.mjs';
import { installAwsLambdaGlobal, ResponseStream, streamingOptions } from './lib/streaming.mjs';
import { installTraceIdVariable } from './lib/trace_env.mjs';

const EXIT_CODE_UNCAUGHT = 129;
const EXIT_CODE_REJECTION = 128;

// ---------------------------------------------------------------------------
// "Event loop drained" hook. One listener at a time, kept under a registry
// symbol so that instrumentation libraries can find it.

const DRAIN_LISTENER = Symbol.for('aws.lambda.beforeExit');
const noop = () => {};
const onDrain = (fn) => {
  globalThis[DRAIN_LISTENER] = fn;
};
const clearOnDrain = () => onDrain(noop);

// ---------------------------------------------------------------------------
// Start-up

installTraceIdVariable();
patchConsole();

const endpoint = process.env.AWS_LAMBDA_RUNTIME_API;
if (!endpoint) {
  process.stderr.write('nimbus bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n');
  process.exit(1);
}
const client = new RuntimeApiClient(endpoint);

// ---------------------------------------------------------------------------
// Fatal errors. `reportFatal` posts to /init/error until the first invocation
// arrives, then to the error endpoint of the latest invocation.

let dying = false;
let reportFatal = (err) => client.postInitError(err);

function die(err, exitCode) {
  if (dying) return;
  dying = true;
  clearOnDrain();
  const exit = () => process.exit(exitCode);
  setTimeout(exit, 5000); // the report has its own timeout; this is a last resort
  Promise.resolve()
    .then(() => reportFatal(err))
    .then(exit, exit);
}

// A failure of the bootstrap's own machinery (e.g. the Runtime API cannot be
// reached) is treated like an uncaught exception.
function runtimeFailure(err) {
  console.log(`Unexpected Top Level Error: ${String(err)}`);
  die(err, EXIT_CODE_UNCAUGHT);
}

process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', err);
  die(err, EXIT_CODE_UNCAUGHT);
});

process.on('unhandledRejection', (reason, promise) => {
  let err;
  try {
    err = new UnhandledPromiseRejection(reason, promise);
  } catch {
    // e.g. a Symbol reason, which cannot become a message
    err = new UnhandledPromiseRejection(undefined, promise);
    err.reason = reason;
  }
  logError('Unhandled Promise Rejection', err);
  die(err, EXIT_CODE_REJECTION);
});

clearOnDrain();
process.on('beforeExit', () => globalThis[DRAIN_LISTENER]());

installAwsLambdaGlobal();

// A rejection here reaches the 'uncaughtException' listener above, which
// posts the init error and exits.
const handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || '/var/task', process.env._HANDLER ?? '');
const handlerIsAsync = isAsyncFunction(handler);
const streaming = streamingOptions(handler);
const maxConcurrency = Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? '1', 10);

if (maxConcurrency > 1 && !streaming) startBatch(maxConcurrency);
else if (maxConcurrency > 1) startSlots(maxConcurrency);
else scheduleNext();

// ---------------------------------------------------------------------------
// The loop

function isAsyncFunction(fn) {
  try {
    return fn?.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}

function scheduleNext() {
  if (dying) return;
  setImmediate(() => {
    nextInvocation().catch(runtimeFailure);
  });
}

// Posts an invocation's outcome (`post` is the pending request) and asks for
// the next invocation at once: both leave in one write, and the platform can
// hand this instance its next event as soon as it reads the outcome.
function postThenNext(post) {
  post.catch(runtimeFailure);
  if (dying) return;
  nextInvocation().catch(runtimeFailure);
}

async function nextInvocation() {
  const { headers, body } = await client.next();
  if (dying) return;
  const requestId = headers['lambda-runtime-aws-request-id'];
  if (!requestId) throw new Error('invocation id is missing or invalid');

  setCurrentRequestId(requestId);
  setCurrentTenantId(headers['lambda-runtime-aws-tenant-id']);
  reportFatal = (err) => client.postError(requestId, err, { fresh: true });

  if (streaming) await runStreaming(requestId, headers, body);
  else runBuffered(requestId, headers, body);
}

// Copies the X-Ray trace header into _X_AMZN_TRACE_ID, or removes the variable
// when the invocation has none.
function forwardTraceId(headers) {
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
}

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

// The invocation-specific part of the context object (the rest, i.e. the
// callbackWaitsForEmptyEventLoop flag and succeed/fail/done, is supplied by
// the caller in `base`). Throws when Client-Context or Cognito-Identity is not
// valid JSON.
// The instance's constant part of every context, read once: each read of
// process.env is a lookup in the C environment.
const FUNCTION_FIELDS = {
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

function buildContext(base, requestId, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return Object.assign(base, FUNCTION_FIELDS, {
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: requestId,
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis() {
      return deadline - Date.now();
    },
  });
}

// A buffered (non-streaming) invocation.
function runBuffered(requestId, headers, body) {
  let waitForEmptyEventLoop = true;
  let answered = false; // one of callback/succeed/fail/done has returned
  let completed = false; // a successful result is being posted

  const postError = (err) => {
    if (dying) return;
    logError('Invoke Error', err);
    postThenNext(client.postError(requestId, err));
  };

  // Throws (before posting anything) when the result cannot be serialised.
  const complete = (result) => {
    if (dying) return;
    if (completed) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    completed = true;
    const text = serializeResult(result);
    postThenNext(client.postResponse(requestId, text));
  };

  const rawCallback = (err, result) => {
    clearOnDrain();
    if (err !== undefined && err !== null) {
      postError(err);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      onDrain(() => {
        setImmediate(() => {
          try {
            complete(result);
          } catch (e) {
            postError(e);
          }
        });
      });
    }
  };
  const rawDone = (err, result) => {
    clearOnDrain();
    if (err !== undefined && err !== null) postError(err);
    else complete(result);
  };
  const rawSucceed = (result) => rawDone(null, result);
  const rawFail = (err) => (err === undefined || err === null ? rawDone('handled') : rawDone(err, null));

  // Only the first call of any of the four counts. A call that throws (an
  // unserialisable result) does not count, so the error can still be reported.
  const firstOnly = (fn) =>
    function (...args) {
      if (answered) return;
      fn(...args);
      answered = true;
    };
  const callback = firstOnly(rawCallback);
  const succeed = firstOnly(rawSucceed);
  const fail = firstOnly(rawFail);
  const done = firstOnly(rawDone);

  // If the event loop drains before the handler settles the invocation.
  onDrain(() => {
    completed = true;
    if (handlerIsAsync) {
      const err = new NodeJsExit();
      logError('Invoke Error', err);
      postThenNext(client.postError(requestId, err));
    } else {
      postThenNext(client.postResponse(requestId, 'null'));
    }
  });

  try {
    const event = JSON.parse(body);
    forwardTraceId(headers);
    const context = buildContext(
      {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value) {
          waitForEmptyEventLoop = value;
        },
        succeed,
        fail,
        done,
      },
      requestId,
      headers,
    );
    const result = handler(event, context, callback);
    if (result && typeof result.then === 'function') {
      result.then(succeed, fail).catch(fail);
    }
  } catch (err) {
    callback(err);
  }
}

// A streaming invocation (handler marked by awslambda.streamifyResponse).
// `slotClient` is given when invocations run several at once.
async function runStreaming(requestId, headers, body, slotClient) {
  let waitForEmptyEventLoop = true;
  const stream = new ResponseStream(slotClient ?? client, requestId, streaming.highWaterMark);

  const proceed = () => {
    if (slotClient) return slotNext(slotClient);
    clearOnDrain();
    if (!waitForEmptyEventLoop) scheduleNext();
    else onDrain(() => setImmediate(scheduleNext));
  };
  const failWith = async (err) => {
    if (dying) return;
    logError('Invoke Error', err);
    try {
      await stream.fail(err);
    } catch (e) {
      runtimeFailure(e);
      return;
    }
    proceed();
  };

  // If the event loop drains with the invocation unfinished, move on.
  if (!slotClient) onDrain(() => scheduleNext());

  try {
    const event = JSON.parse(body);
    if (!slotClient) forwardTraceId(headers);
    const context = buildContext(
      {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value) {
          waitForEmptyEventLoop = value;
        },
        ...(slotClient ? { xRayTraceId: headers['lambda-runtime-trace-id'] } : {}),
      },
      requestId,
      headers,
    );
    const pending = handler(event, stream, context);
    if (!pending || typeof pending.then !== 'function') {
      await failWith('Streaming does not support non-async handlers.');
      return;
    }
    const result = await pending;
    if (result !== undefined) console.warn('Streaming handlers ignore return values.');
    await stream.responseDone;
    if (!stream.writableFinished) {
      await failWith('Response stream is not finished.');
      return;
    }
    proceed();
  } catch (err) {
    await failWith(err);
  }
}

// ---------------------------------------------------------------------------
// Several at once (AWS_LAMBDA_MAX_CONCURRENCY > 1). Each slot has a Runtime API
// connection of its own and asks for its next event as soon as it has
// answered the last (the answer and the request leave in one write). The
// invocations share the process and its globals, as on Lambda Managed
// Instances: handlers must not keep per-request state in module scope. Each
// one settles when its promise does or when it calls callback, succeed, fail
// or done; other slots keep the event loop busy, so it never drains and
// callbackWaitsForEmptyEventLoop has no effect. Log records carry the request
// id of the invocation that wrote them.

function startSlots(count) {
  enableConcurrentInvocations();
  for (let i = 0; i < count; i++) slotNext(i === 0 ? client : new RuntimeApiClient(endpoint));
}

// Buffered handlers take their events in batches instead: one connection
// asks for as many as there are free slots (Nimbus's batch `next`), another
// carries the results. Events that reach the server together leave in one
// answer, and results settled in the same tick leave in one write, so under
// load the runtime and the server exchange one message per batch rather than
// one per invocation. The slot count is kept here; `next-batch` is asked again
// once per tick while slots are free. A server without the batch `next`
// answers 404 to the first request, and the runtime uses slots instead.
function startBatch(count) {
  enableConcurrentInvocations();
  const results = new RuntimeApiClient(endpoint);
  let free = count;
  let asking = false;
  let scheduled = false;
  const ask = () => {
    scheduled = false;
    if (asking || free === 0 || dying) return;
    asking = true;
    client
      .nextBatch(free)
      .then((events) => {
        asking = false;
        if (events === null) return startSlots(count);
        free -= events.length;
        for (const { headers, body } of events) runSlot(results, headers, body, release);
        schedule();
      })
      .catch(runtimeFailure);
  };
  // Asks after the current tick, so that every slot freed in it counts.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    process.nextTick(ask);
  };
  const release = () => {
    free++;
    schedule();
  };
  ask();
}

function slotNext(slotClient) {
  if (dying) return;
  slotClient
    .next()
    .then(({ headers, body }) => runSlot(slotClient, headers, body))
    .catch(runtimeFailure);
}

// Runs one invocation on `slotClient`; `after` runs once its result is posted
// (by default the slot asks for its next event).
function runSlot(slotClient, headers, body, after = () => slotNext(slotClient)) {
  if (dying) return;
  const requestId = headers['lambda-runtime-aws-request-id'];
  if (!requestId) throw new Error('invocation id is missing or invalid');
  const tenantId = headers['lambda-runtime-aws-tenant-id'];
  // A fatal error is reported against the invocation that started last.
  setCurrentRequestId(requestId);
  setCurrentTenantId(tenantId);
  reportFatal = (err) => slotClient.postError(requestId, err, { fresh: true });
  runInInvocation(requestId, tenantId, () => {
    if (streaming) return runStreaming(requestId, headers, body, slotClient);
    return runSlotBuffered(slotClient, requestId, headers, body, after);
  });
}

function runSlotBuffered(slotClient, requestId, headers, body, after) {
  let settled = false;
  const post = (pending) => {
    pending.catch(runtimeFailure);
    after();
  };
  // The first outcome counts; a result that cannot be serialised becomes the error.
  const settle = (err, result) => {
    if (settled || dying) return;
    if (err === undefined || err === null) {
      let text;
      try {
        text = serializeResult(result);
      } catch (e) {
        err = e;
      }
      if (text !== undefined) {
        settled = true;
        post(slotClient.postResponse(requestId, text));
        return;
      }
    }
    settled = true;
    logError('Invoke Error', err);
    post(slotClient.postError(requestId, err));
  };
  const succeed = (result) => settle(null, result);
  const fail = (err) => settle(err === undefined || err === null ? 'handled' : err);
  try {
    const event = JSON.parse(body);
    // Not forwarded through _X_AMZN_TRACE_ID: the process's environment is
    // shared by every invocation running; the context carries it instead.
    const context = buildContext(
      {
        callbackWaitsForEmptyEventLoop: false,
        xRayTraceId: headers['lambda-runtime-trace-id'],
        succeed,
        fail,
        done: settle,
      },
      requestId,
      headers,
    );
    const result = handler(event, context, settle);
    if (result && typeof result.then === 'function') result.then(succeed, fail);
  } catch (err) {
    settle(err);
  }
}
