// End-to-end tests of bootstrap.mjs: each case writes a small function into a
// temporary LAMBDA_TASK_ROOT, starts `node bootstrap.mjs` against the fake
// Runtime API and checks what was posted and logged.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BOOTSTRAP, SDK_DIR, runBootstrap } from './harness.mjs';

// CommonJS helper for handlers: POST /marker to the fake API, so the order of
// handler side effects and runtime posts can be checked.
const MARK_CJS = `
const __http = require('http');
function mark(text) {
  return new Promise((resolve) => {
    const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
    const req = __http.request({ host, port, method: 'POST', path: '/marker', agent: false },
      (res) => { res.resume(); res.on('end', resolve); });
    req.end(String(text));
  });
}
`;

const LOG_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\t/;

function recordsWith(lines, text) {
  return lines.filter((l) => l.includes(text));
}

describe('handler styles', { concurrency: 2 }, () => {
  test('CJS sync handler: its return value is ignored and null is sent when the loop drains', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': 'exports.handler = function (event) { return { x: 1 }; };' },
      events: [{ event: { a: 1 } }],
    });
    assert.equal(api.responses.length, 1);
    assert.equal(api.responses[0].text, 'null');
    assert.equal(api.responses[0].headers['content-type'], 'application/json');
  });

  test('async handler: resolved value is the response; undefined becomes null', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async (event) => event.none ? undefined : { echo: event };`,
      },
      events: [{ event: { a: 1, s: 'é' } }, { event: { none: true } }],
    });
    assert.deepEqual(api.responses.map((r) => r.text), ['{"echo":{"a":1,"s":"é"}}', 'null']);
  });

  test('promise-returning non-async function is awaited', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': `exports.handler = (e) => new Promise((r) => setTimeout(() => r('later'), 20));` },
    });
    assert.equal(api.responses[0].text, '"later"');
  });

  test('callback style: callback(null, result) and callback(err)', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `exports.handler = (event, context, callback) => {
          if (event.fail) callback(new TypeError('bad input'));
          else callback(null, { ok: true });
        };`,
      },
      events: [{ event: {} }, { event: { fail: true } }],
    });
    assert.equal(api.results[0].kind, 'response');
    assert.equal(api.results[0].text, '{"ok":true}');
    assert.equal(api.results[1].kind, 'error');
    assert.equal(api.results[1].body.errorType, 'TypeError');
    assert.equal(api.results[1].body.errorMessage, 'bad input');
    assert.equal(api.results[1].headers['lambda-runtime-function-error-type'], 'TypeError');
  });

  test('callbackWaitsForEmptyEventLoop = true (default): response waits for pending timers', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `${MARK_CJS}
          exports.handler = (event, context, callback) => {
            setTimeout(() => mark('timer'), 300);
            callback(null, context.callbackWaitsForEmptyEventLoop);
          };`,
      },
      until: (a) => a.responses.length === 1 && a.markers.length === 1,
    });
    const kinds = api.log.map((e) => e.kind);
    assert.deepEqual(kinds, ['marker', 'response']);
    assert.equal(api.responses[0].text, 'true');
  });

  test('callbackWaitsForEmptyEventLoop = false: response is sent at once', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `${MARK_CJS}
          exports.handler = (event, context, callback) => {
            context.callbackWaitsForEmptyEventLoop = false;
            setTimeout(() => mark('timer'), 1000);
            callback(null, 'fast');
          };`,
      },
      until: (a) => a.responses.length === 1 && a.markers.length === 1,
    });
    assert.deepEqual(api.log.map((e) => e.kind), ['response', 'marker']);
    assert.equal(api.responses[0].text, '"fast"');
  });

  test('context.succeed / fail / done, and only the first completion counts', async () => {
    const { api, lines } = await runBootstrap({
      files: {
        'index.js': `exports.handler = (event, context, callback) => {
          switch (event.how) {
            case 'succeed': context.succeed({ s: 1 }); callback(null, 'ignored'); break;
            case 'fail': context.fail(new Error('via fail')); break;
            case 'failEmpty': context.fail(); break;
            case 'done': context.done(null, 'done!'); break;
            case 'doneErr': context.done('as string'); break;
          }
        };`,
      },
      events: ['succeed', 'fail', 'failEmpty', 'done', 'doneErr'].map((how) => ({ event: { how } })),
    });
    const r = api.results;
    assert.deepEqual(r.map((x) => x.kind), ['response', 'error', 'error', 'response', 'error']);
    assert.equal(r[0].text, '{"s":1}');
    assert.equal(r[1].body.errorMessage, 'via fail');
    assert.deepEqual(r[2].body, { errorType: 'string', errorMessage: 'handled', trace: [] });
    assert.equal(r[3].text, '"done!"');
    assert.deepEqual(r[4].body, { errorType: 'string', errorMessage: 'as string', trace: [] });
    assert.equal(recordsWith(lines, 'Invocation has already been reported as done').length, 0);
  });

  test('async handler whose promise never settles fails with Runtime.NodeJsExit and the instance lives on', async () => {
    const { api, code } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async (event) => {
          if (event.hang) await new Promise(() => {});
          return 'fine';
        };`,
      },
      events: [{ event: { hang: true } }, { event: {} }],
    });
    assert.equal(api.results[0].kind, 'error');
    assert.equal(api.results[0].body.errorType, 'Runtime.NodeJsExit');
    assert.match(api.results[0].body.errorMessage, /Promise that was never settled/);
    assert.equal(api.results[1].text, '"fine"');
    assert.equal(code, null); // still running until the harness stopped it
  });

  test('module scope runs once per instance (warm reuse)', async () => {
    const { api, lines } = await runBootstrap({
      files: {
        'index.js': `let n = 0; console.log('init ran');
          exports.handler = async () => ++n;`,
      },
      events: [{}, {}, {}],
    });
    assert.deepEqual(api.responses.map((r) => r.text), ['1', '2', '3']);
    assert.equal(recordsWith(lines, 'init ran').length, 1);
  });

  test('one keep-alive connection carries next/response for successive invocations', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': `exports.handler = async () => 'ok';` },
      events: [{}, {}, {}],
    });
    const used = new Set(api.requests.filter((r) => r.url !== '/marker').map((r) => r.connection));
    assert.equal(used.size, 1);
  });

  test('asks for the next invocation without waiting for the answer to its result', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': `let n = 0; exports.handler = async () => { if (++n === 2) throw new Error('boom'); return n; };` },
      events: [{}, {}, {}],
      setupApi: (a) => {
        a.holdResultAnswers = true;
      },
    });
    assert.deepEqual(api.results.map((r) => r.kind), ['response', 'error', 'response']);
    assert.deepEqual(api.results.map((r) => r.pipelined), [true, true, true]);
  });

  test('malformed event JSON fails the invocation with a SyntaxError', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': `exports.handler = async () => 'x';` },
      events: [{ rawBody: '{not json' }],
    });
    assert.equal(api.errors[0].body.errorType, 'SyntaxError');
  });
});

describe('module loading', { concurrency: 2 }, () => {
  test('ESM .mjs handler', async () => {
    const { api } = await runBootstrap({
      files: { 'index.mjs': `export const handler = async () => ({ kind: 'mjs', url: import.meta.url.startsWith('file:') });` },
    });
    assert.equal(api.responses[0].text, '{"kind":"mjs","url":true}');
  });

  test('.js under package.json "type":"module" is imported as ESM', async () => {
    const { api } = await runBootstrap({
      files: {
        'package.json': '{"type":"module"}',
        'index.js': `export const handler = async () => typeof require;`,
      },
    });
    assert.equal(api.responses[0].text, '"undefined"');
  });

  test('.js takes precedence over .mjs, and .cjs is found last', async () => {
    const both = await runBootstrap({
      files: {
        'index.js': `exports.handler = async () => 'js';`,
        'index.mjs': `export const handler = async () => 'mjs';`,
      },
    });
    assert.equal(both.api.responses[0].text, '"js"');
    const cjs = await runBootstrap({ files: { 'app.cjs': `exports.go = async () => 'cjs';` }, handler: 'app.go' });
    assert.equal(cjs.api.responses[0].text, '"cjs"');
  });

  test('top-level await in an ES module finishes before the first invocation', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.mjs': `const value = await new Promise((r) => setTimeout(() => r(42), 50));
          export const handler = async () => value;`,
      },
    });
    assert.equal(api.responses[0].text, '42');
  });

  test('nested path src/h.main and nested export index.api.v1.get', async () => {
    const nested = await runBootstrap({
      files: { 'src/h.js': `exports.main = async () => 'nested file';` },
      handler: 'src/h.main',
    });
    assert.equal(nested.api.responses[0].text, '"nested file"');
    const prop = await runBootstrap({
      files: { 'index.js': `exports.api = { v1: { get: async () => 'nested export' } };` },
      handler: 'index.api.v1.get',
    });
    assert.equal(prop.api.responses[0].text, '"nested export"');
  });

  test('a directory is loaded through its index.js', async () => {
    const { api } = await runBootstrap({
      files: { 'lib/index.js': `exports.handler = async () => 'dir index';` },
      handler: 'lib.handler',
    });
    assert.equal(api.responses[0].text, '"dir index"');
  });

  test('missing module: Runtime.ImportModuleError posted to init/error, exit 129', async () => {
    const { api, code, lines } = await runBootstrap({
      files: {},
      handler: 'nope.handler',
      until: 'exit',
    });
    assert.equal(code, 129);
    assert.equal(api.initErrors.length, 1);
    const e = api.initErrors[0];
    assert.equal(e.headers['lambda-runtime-function-error-type'], 'Runtime.ImportModuleError');
    assert.equal(e.body.errorType, 'Runtime.ImportModuleError');
    assert.equal(e.body.errorMessage, `Error: Cannot find module 'nope'\nRequire stack:\n- ${BOOTSTRAP}`);
    assert.equal(e.body.trace[0], "Runtime.ImportModuleError: Error: Cannot find module 'nope'");
    assert.equal(e.body.trace[1], 'Require stack:');
    assert.equal(api.served.length, 0);
    const logged = recordsWith(lines, 'Uncaught Exception');
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^\S+\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.ImportModuleError"/);
  });

  test('module requiring a missing package: ImportModuleError naming both modules', async () => {
    const { api } = await runBootstrap({
      files: { 'index.js': `require('left-pad-missing'); exports.handler = async () => 1;` },
      until: 'exit',
    });
    const e = api.initErrors[0].body;
    assert.equal(e.errorType, 'Runtime.ImportModuleError');
    assert.match(e.errorMessage, /^Error: Cannot find module 'left-pad-missing'\nRequire stack:\n- .*index\.js\n- /);
  });

  test('missing export: Runtime.HandlerNotFound', async () => {
    const { api, code } = await runBootstrap({
      files: { 'index.js': `exports.handler = async () => 1; exports.notfn = 5;` },
      handler: 'index.nope',
      until: 'exit',
    });
    assert.equal(code, 129);
    assert.equal(api.initErrors[0].body.errorType, 'Runtime.HandlerNotFound');
    assert.equal(api.initErrors[0].body.errorMessage, 'index.nope is undefined or not exported');
    const notFn = await runBootstrap({
      files: { 'index.js': `exports.notfn = 5;` },
      handler: 'index.notfn',
      until: 'exit',
    });
    assert.equal(notFn.api.initErrors[0].body.errorMessage, 'index.notfn is not a function');
  });

  test('malformed handler names: Runtime.MalformedHandlerName', async () => {
    const bad = await runBootstrap({ handler: 'index', until: 'exit' });
    assert.deepEqual(
      [bad.api.initErrors[0].body.errorType, bad.api.initErrors[0].body.errorMessage],
      ['Runtime.MalformedHandlerName', 'Bad handler'],
    );
    const up = await runBootstrap({ handler: '../x/index.handler', until: 'exit' });
    assert.equal(
      up.api.initErrors[0].body.errorMessage,
      "'../x/index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    );
  });

  test('syntax error: Runtime.UserCodeSyntaxError (CJS and ESM)', async () => {
    for (const [file, src] of [
      ['index.js', 'exports.handler = async () => { return 1 ;'],
      ['index.mjs', 'export const handler = async () => {{ ;'],
    ]) {
      const { api, code } = await runBootstrap({ files: { [file]: src }, until: 'exit' });
      assert.equal(code, 129);
      const e = api.initErrors[0].body;
      assert.equal(e.errorType, 'Runtime.UserCodeSyntaxError');
      assert.match(e.errorMessage, /^SyntaxError: /);
      assert.match(e.trace[0], /^Runtime\.UserCodeSyntaxError: SyntaxError: /);
    }
  });

  test('an error thrown at module scope is the init error as is', async () => {
    const { api, code } = await runBootstrap({
      files: { 'index.js': `throw new RangeError('config missing');` },
      until: 'exit',
    });
    assert.equal(code, 129);
    assert.equal(api.initErrors[0].body.errorType, 'RangeError');
    assert.equal(api.initErrors[0].body.errorMessage, 'config missing');
  });
});

describe('errors', { concurrency: 2 }, () => {
  const files = {
    'index.js': `
      class NamedError extends Error { constructor(m) { super(m); this.name = 'NamedError'; } }
      class UnnamedError extends Error {}
      exports.handler = async (event) => {
        switch (event.kind) {
          case 'error': throw new Error('boom');
          case 'string': throw 'plain string';
          case 'object': throw { code: 42 };
          case 'named': throw new NamedError('custom');
          case 'unnamed': throw new UnnamedError('no name');
          case 'number': throw 7;
          case 'undefined': throw undefined;
        }
      };
      exports.sync = (event) => { throw new Error('sync boom'); };
    `,
  };

  test('thrown values are shaped as Lambda shapes them', async () => {
    const kinds = ['error', 'string', 'object', 'named', 'unnamed', 'number', 'undefined'];
    const { api, lines } = await runBootstrap({ files, events: kinds.map((kind) => ({ event: { kind } })) });
    const [err, str, obj, named, unnamed, num, undef] = api.errors;
    assert.equal(api.errors.length, kinds.length);

    assert.equal(err.body.errorType, 'Error');
    assert.equal(err.body.errorMessage, 'boom');
    assert.equal(err.body.trace[0], 'Error: boom');
    assert.match(err.body.trace[1], /^ {4}at .*index\.js:\d+:\d+/);
    assert.deepEqual(Object.keys(err.body), ['errorType', 'errorMessage', 'trace']);
    assert.equal(err.headers['lambda-runtime-function-error-type'], 'Error');
    const cause = JSON.parse(err.headers['lambda-runtime-function-xray-error-cause']);
    assert.equal(cause.exceptions[0].type, 'Error');
    assert.equal(cause.exceptions[0].message, 'boom');

    assert.deepEqual(str.body, { errorType: 'string', errorMessage: 'plain string', trace: [] });
    assert.deepEqual(obj.body, { errorType: 'object', errorMessage: '[object Object]', trace: [] });
    assert.equal(named.body.errorType, 'NamedError');
    assert.equal(named.headers['lambda-runtime-function-error-type'], 'NamedError');
    assert.equal(unnamed.body.errorType, 'Error'); // name, not the class name
    assert.deepEqual(num.body, { errorType: 'number', errorMessage: '7', trace: [] });
    assert.deepEqual(undef.body, { errorType: 'string', errorMessage: 'handled', trace: [] });

    const invokeErrors = recordsWith(lines, '\tERROR\tInvoke Error \t');
    assert.equal(invokeErrors.length, kinds.length);
    const logged = JSON.parse(invokeErrors[0].split('Invoke Error \t')[1]);
    assert.equal(logged.errorType, 'Error');
    assert.equal(logged.errorMessage, 'boom');
    assert.equal(logged.stack[0], 'Error: boom');
  });

  test('error thrown synchronously by a plain handler', async () => {
    const { api } = await runBootstrap({ files, handler: 'index.sync' });
    assert.equal(api.errors[0].body.errorMessage, 'sync boom');
  });

  test('unhandled promise rejection: Runtime.UnhandledPromiseRejection, exit 128', async () => {
    const { api, code, lines } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async () => {
          Promise.reject(new Error('nobody caught me'));
          await new Promise((r) => setTimeout(r, 500));
          return 'too late';
        };`,
      },
      until: 'exit',
    });
    assert.equal(code, 128);
    assert.equal(api.results.length, 1);
    const e = api.errors[0];
    assert.equal(e.body.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(e.body.errorMessage, 'Error: nobody caught me');
    assert.equal(e.headers['lambda-runtime-function-error-type'], 'Runtime.UnhandledPromiseRejection');
    assert.equal(e.requestId, api.served[0].requestId);
    assert.equal(recordsWith(lines, '\tERROR\tUnhandled Promise Rejection \t').length, 1);
  });

  test('uncaught exception during an invocation: posted, exit 129', async () => {
    const { api, code, lines } = await runBootstrap({
      files: {
        'index.js': `exports.handler = (event, context, callback) => {
          setTimeout(() => { throw new TypeError('from a timer'); }, 10);
        };`,
      },
      until: 'exit',
    });
    assert.equal(code, 129);
    assert.equal(api.errors.length, 1);
    assert.equal(api.errors[0].body.errorType, 'TypeError');
    assert.equal(api.errors[0].body.errorMessage, 'from a timer');
    assert.equal(recordsWith(lines, '\tERROR\tUncaught Exception \t').length, 1);
  });

  test('circular result: "Unable to stringify response body", instance continues', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async (event) => {
          if (event.ok) return 'fine';
          const a = {}; a.self = a; return a;
        };
        exports.cb = (event, context, callback) => { const a = {}; a.self = a; callback(null, a); };`,
      },
      events: [{ event: {} }, { event: { ok: true } }],
    });
    assert.equal(api.results[0].kind, 'error');
    assert.equal(api.results[0].body.errorType, 'Error');
    assert.equal(api.results[0].body.errorMessage, 'Unable to stringify response body');
    assert.equal(api.results[1].text, '"fine"');

    const cb = await runBootstrap({
      files: { 'index.js': `exports.cb = (event, context, callback) => { const a = {}; a.self = a; callback(null, a); };` },
      handler: 'index.cb',
    });
    assert.equal(cb.api.errors[0].body.errorMessage, 'Unable to stringify response body');
  });
});

describe('context and invocation data', { concurrency: 2 }, () => {
  test('context fields and getRemainingTimeInMillis', async () => {
    const deadline = Date.now() + 60000;
    const { api } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async (event, context) => ({
          keys: Object.keys(context),
          functionName: context.functionName,
          functionVersion: context.functionVersion,
          invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: context.memoryLimitInMB,
          awsRequestId: context.awsRequestId,
          logGroupName: context.logGroupName,
          logStreamName: context.logStreamName,
          identity: context.identity,
          clientContext: context.clientContext,
          waits: context.callbackWaitsForEmptyEventLoop,
          fns: [typeof context.succeed, typeof context.fail, typeof context.done],
          remaining: context.getRemainingTimeInMillis(),
        });`,
      },
      events: [
        {
          requestId: 'req-1',
          headers: {
            'Lambda-Runtime-Deadline-Ms': String(deadline),
            'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:fn:live',
            'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
          },
        },
      ],
    });
    const c = api.responses[0].body;
    assert.equal(c.functionName, 'fn');
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:fn:live');
    assert.equal(c.memoryLimitInMB, '128');
    assert.equal(c.awsRequestId, 'req-1');
    assert.equal(c.logGroupName, '/aws/lambda/fn');
    assert.equal(c.logStreamName, '2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef');
    assert.deepEqual(c.identity, { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' });
    assert.equal(c.clientContext, undefined);
    assert.equal(c.waits, true);
    assert.deepEqual(c.fns, ['function', 'function', 'function']);
    assert.ok(c.remaining > 50000 && c.remaining <= 60000, `remaining ${c.remaining}`);
    for (const k of ['callbackWaitsForEmptyEventLoop', 'succeed', 'fail', 'done', 'getRemainingTimeInMillis']) {
      assert.ok(c.keys.includes(k), k);
    }
  });

  test('_X_AMZN_TRACE_ID is set per invocation and removed when absent', async () => {
    const trace = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';
    const { api } = await runBootstrap({
      files: { 'index.js': `exports.handler = async () => process.env._X_AMZN_TRACE_ID ?? 'unset';` },
      events: [{ headers: { 'Lambda-Runtime-Trace-Id': trace } }, {}],
    });
    assert.deepEqual(api.responses.map((r) => r.body), [trace, 'unset']);
  });

  test('_X_AMZN_TRACE_ID does not go through the C environment (setenv keeps every value)', async () => {
    const trace = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e701;Parent=9a9197af755a6419;Sampled=1';
    const handler = `
      const { execFileSync } = require('node:child_process');
      exports.handler = async () => ({
        js: process.env._X_AMZN_TRACE_ID,
        listed: Object.keys(process.env).includes('_X_AMZN_TRACE_ID') && '_X_AMZN_TRACE_ID' in process.env,
        child: execFileSync('/bin/sh', ['-c', 'printf %s "$_X_AMZN_TRACE_ID"']).toString(),
        native: process.report.getReport().environmentVariables._X_AMZN_TRACE_ID ?? null,
        tz: (process.env.TZ = 'Asia/Tokyo', new Date(0).getHours()),
      });`;
    const { api } = await runBootstrap({
      files: { 'index.js': handler },
      events: [{ headers: { 'Lambda-Runtime-Trace-Id': trace } }],
    });
    // Handlers, and the processes they start, see the variable; the C
    // library's environment (what native code's getenv reads) never gets it.
    assert.deepEqual(api.results[0].body, { js: trace, listed: true, child: trace, native: null, tz: 9 });
  });

  test('client context: parsed JSON; malformed JSON fails only that invocation', async () => {
    const cc = { client: { installation_id: 'i', app_title: 't' }, custom: { k: 'v' }, env: { platform: 'x' } };
    const { api } = await runBootstrap({
      files: { 'index.js': `exports.handler = async (e, context) => context.clientContext;` },
      events: [
        { headers: { 'Lambda-Runtime-Client-Context': JSON.stringify(cc) } },
        { headers: { 'Lambda-Runtime-Client-Context': '{broken' } },
        { headers: { 'Lambda-Runtime-Cognito-Identity': 'nope' } },
        {},
      ],
    });
    assert.deepEqual(api.results[0].body, cc);
    assert.equal(api.results[1].kind, 'error');
    assert.equal(api.results[1].body.errorType, 'Error');
    assert.match(api.results[1].body.errorMessage, /^Cannot parse ClientContext as json: SyntaxError: /);
    assert.match(api.results[2].body.errorMessage, /^Cannot parse CognitoIdentity as json: SyntaxError: /);
    assert.equal(api.results[3].text, 'null');
  });
});

describe('logging', { concurrency: 2 }, () => {
  test('text records: time, request id, level, util.format message; newlines become \\r', async () => {
    const { api, lines } = await runBootstrap({
      files: {
        'index.js': `console.log('at init');
          exports.handler = async () => {
            console.log('hello %s', 'world', 42);
            console.info('info');
            console.warn('multi\\nline');
            console.error('err', { a: 1 });
            console.debug('dbg');
            console.trace('trc');
            return 'ok';
          };`,
      },
      events: [{ requestId: 'rid-1' }],
    });
    assert.equal(api.responses.length, 1);
    for (const line of lines) assert.match(line, LOG_PREFIX);
    const rest = lines.map((l) => l.replace(LOG_PREFIX, ''));
    assert.deepEqual(rest, [
      'undefined\tINFO\tat init',
      'rid-1\tINFO\thello world 42',
      'rid-1\tINFO\tinfo',
      'rid-1\tWARN\tmulti\rline',
      'rid-1\tERROR\terr { a: 1 }',
      'rid-1\tDEBUG\tdbg',
      'rid-1\tTRACE\ttrc',
    ]);
  });

  test('JSON format and log level filtering', async () => {
    const { lines } = await runBootstrap({
      files: {
        'index.js': `exports.handler = async () => {
            console.debug('hidden');
            console.info({ structured: true });
            console.warn('two %s', 'args');
            console.error('failed', new Error('bad'));
          };`,
      },
      events: [{ requestId: 'rid-json' }],
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' },
    });
    const records = lines.map((l) => JSON.parse(l));
    assert.equal(records.length, 3);
    assert.deepEqual(records.map((r) => r.level), ['INFO', 'WARN', 'ERROR']);
    assert.deepEqual(records[0].message, { structured: true });
    assert.equal(records[0].requestId, 'rid-json');
    assert.match(records[0].timestamp, /Z$/);
    assert.equal(records[1].message, 'two args');
    assert.equal(records[2].errorType, 'Error');
    assert.equal(records[2].errorMessage, 'bad');
    assert.ok(Array.isArray(records[2].stackTrace));
  });
});

describe('AWS SDK v3 from the runtime folder', { concurrency: 2 }, () => {
  const installed = fs.existsSync(path.join(SDK_DIR, '@aws-sdk', 'client-dynamodb'));
  const skip = !installed && !process.env.NIMBUS_REQUIRE_SDK && 'run npm ci in runtimes/nodejs first';

  test('CommonJS require() through NODE_PATH', { skip }, async () => {
    assert.ok(installed, `AWS SDK not installed under ${SDK_DIR}`);
    const { api } = await runBootstrap({
      files: {
        'index.js': `const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
          const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
          const { S3Client } = require('@aws-sdk/client-s3');
          exports.handler = async () => {
            const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
            return [typeof ListTablesCommand, typeof S3Client, typeof ddb.send, await new DynamoDBClient({}).config.region()];
          };`,
      },
      env: { NODE_PATH: SDK_DIR },
    });
    assert.deepEqual(api.responses[0].body, ['function', 'function', 'function', 'us-east-1']);
  });

  test('ESM import through a node_modules symlink', { skip }, async () => {
    assert.ok(installed, `AWS SDK not installed under ${SDK_DIR}`);
    const { api } = await runBootstrap({
      files: {
        'index.mjs': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
          import { marshall } from '@aws-sdk/util-dynamodb';
          import { SQSClient } from '@aws-sdk/client-sqs';
          export const handler = async () => [typeof DynamoDBClient, typeof SQSClient, marshall({ a: 1 })];`,
      },
      env: { NODE_PATH: SDK_DIR },
      setup: async (root) => fs.promises.symlink(SDK_DIR, path.join(root, 'node_modules')),
    });
    assert.deepEqual(api.responses[0].body, ['function', 'function', { a: { N: '1' } }]);
  });
});

describe('response streaming', { concurrency: 2 }, () => {
  test('streamifyResponse: chunked body with the streaming response mode', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.mjs': `export const handler = awslambda.streamifyResponse(async (event, stream, context) => {
          stream.setContentType('text/plain');
          stream.write('hello ');
          await new Promise((r) => setTimeout(r, 20));
          stream.write(Buffer.from('world'));
          stream.end();
        });`,
      },
      events: [{}, {}],
    });
    assert.equal(api.responses.length, 2);
    const r = api.responses[0];
    assert.equal(r.text, 'hello world');
    assert.equal(r.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal(r.headers['content-type'], 'text/plain');
  });

  test('HttpResponseStream prelude and error trailers', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.mjs': `export const handler = awslambda.streamifyResponse(async (event, stream) => {
          if (event.fail) { stream.write('partial'); throw new Error('mid-stream'); }
          stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'x-a': 'b' } });
          stream.end('body');
        });`,
      },
      events: [{ event: {} }, { event: { fail: true } }],
    });
    const [ok, failed] = api.responses;
    assert.equal(ok.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
    const nul = ok.raw.indexOf(Buffer.alloc(8));
    assert.deepEqual(JSON.parse(ok.raw.subarray(0, nul).toString()), { statusCode: 201, headers: { 'x-a': 'b' } });
    assert.equal(ok.raw.subarray(nul + 8).toString(), 'body');

    assert.equal(failed.text, 'partial');
    assert.equal(failed.trailers['lambda-runtime-function-error-type'], 'Error');
    const doc = JSON.parse(Buffer.from(failed.trailers['lambda-runtime-function-error-body'], 'base64').toString());
    assert.equal(doc.errorMessage, 'mid-stream');
  });
});

describe('several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY)', { concurrency: 2 }, () => {
  // Every invocation waits until all four are running: only a runtime that
  // takes them at once can answer any of them.
  const BARRIER = `
    let arrived = 0, release;
    const all = new Promise((r) => { release = r; });
    async function barrier() { if (++arrived === 4) release(); await all; }
  `;
  const MULTI = { AWS_LAMBDA_MAX_CONCURRENCY: '4' };
  // Each test runs against a server with Nimbus's batch `next` and against
  // one without it (where the runtime falls back to a connection per slot).
  const modes = [
    ['batch next', (a) => (a.batch = true)],
    ['one next per slot', () => {}],
  ];

  test('with the batch next, events that wait together come in one answer; results leave on another connection', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `${BARRIER}
          exports.handler = async (event) => { await barrier(); return { n: event.n }; };`,
      },
      events: [1, 2, 3, 4].map((n) => ({ event: { n } })),
      env: MULTI,
      setupApi: (a) => (a.batch = true),
    });
    assert.deepEqual(api.responses.map((r) => JSON.parse(r.text).n).sort(), [1, 2, 3, 4]);
    assert.equal(api.batchAnswers.length, 1);
    assert.equal(api.batchAnswers[0].length, 4);
    const asks = api.requests.filter((r) => r.url.includes('/next-batch'));
    const posts = api.requests.filter((r) => r.method === 'POST' && r.url !== '/marker');
    assert.equal(asks[0].url, '/2018-06-01/runtime/invocation/next-batch?max=4');
    assert.equal(new Set(asks.map((r) => r.connection)).size, 1);
    assert.equal(new Set(posts.map((r) => r.connection)).size, 1);
    assert.notEqual(asks[0].connection, posts[0].connection);
    assert.ok(!api.requests.some((r) => r.url.endsWith('/invocation/next')));
  });

  test('with the batch next, the runtime never asks for more events than it has free slots', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `let running = 0, peak = 0;
          exports.handler = async (event) => {
            peak = Math.max(peak, ++running);
            await new Promise((r) => setTimeout(r, 20 * (event.n % 3)));
            running--;
            return { n: event.n, peak };
          };`,
      },
      events: Array.from({ length: 10 }, (_, n) => ({ event: { n } })),
      env: { AWS_LAMBDA_MAX_CONCURRENCY: '3' },
      setupApi: (a) => (a.batch = true),
    });
    const results = api.responses.map((r) => JSON.parse(r.text));
    assert.deepEqual(results.map((r) => r.n).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(Math.max(...results.map((r) => r.peak)), 3);
    assert.equal(api.batchAnswers[0].length, 3);
    const maxes = api.requests
      .filter((r) => r.url.includes('/next-batch'))
      .map((r) => Number(r.url.split('max=')[1]));
    assert.ok(maxes.every((m) => m >= 1 && m <= 3), `asked for ${maxes}`);
    assert.ok(api.batchAnswers.every((batch) => batch.length <= 3));
  });

  test('a server without the batch next gets one connection per slot', async () => {
    const { api } = await runBootstrap({
      files: {
        'index.js': `${BARRIER}
          exports.handler = async (event) => { await barrier(); return { n: event.n }; };`,
      },
      events: [1, 2, 3, 4].map((n) => ({ event: { n } })),
      env: MULTI,
    });
    assert.deepEqual(api.responses.map((r) => JSON.parse(r.text).n).sort(), [1, 2, 3, 4]);
    assert.equal(api.requests.filter((r) => r.url.includes('/next-batch')).length, 1);
    const used = new Set(
      api.requests.filter((r) => r.url !== '/marker' && !r.url.includes('/next-batch')).map((r) => r.connection),
    );
    assert.equal(used.size, 4);
  });

  for (const [mode, setupApi] of modes) {
    test(`${mode}: log records carry the request id of the invocation that wrote them`, async () => {
      const { api, lines } = await runBootstrap({
        files: {
          'index.js': `${BARRIER}
            exports.handler = async (event, context) => {
              await barrier();
              console.log('mine=' + context.awsRequestId);
              return 'ok';
            };`,
        },
        events: [{}, {}, {}, {}],
        env: MULTI,
        setupApi,
      });
      assert.equal(api.responses.length, 4);
      const records = recordsWith(lines, 'mine=');
      assert.equal(records.length, 4);
      for (const line of records) {
        const [, id, , message] = line.split('\t');
        assert.equal(message, `mine=${id}`);
      }
    });

    test(`${mode}: callback, succeed and fail settle their own invocation; a thrown error fails only its own`, async () => {
      const { api } = await runBootstrap({
        files: {
          'index.js': `${BARRIER}
            exports.handler = (event, context, callback) => {
              barrier().then(() => {
                if (event.kind === 'callback') callback(null, 'cb');
                else if (event.kind === 'succeed') context.succeed('s');
                else if (event.kind === 'fail') context.fail(new RangeError('f'));
                else return Promise.reject(new TypeError('t')).catch((e) => callback(e));
              });
            };`,
        },
        events: ['callback', 'succeed', 'fail', 'throw'].map((kind) => ({ event: { kind } })),
        env: MULTI,
        setupApi,
      });
      assert.deepEqual(api.responses.map((r) => r.text).sort(), ['"cb"', '"s"']);
      const errors = api.results.filter((r) => r.kind === 'error').map((r) => r.body.errorType);
      assert.deepEqual(errors.sort(), ['RangeError', 'TypeError']);
    });
  }
});
