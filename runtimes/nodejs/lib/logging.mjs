// Console patching for the Nimbus Node.js bootstrap.
//
// Every console.log/info/warn/error/debug/trace/fatal call becomes exactly one
// record on stdout, terminated by a single "\n". The platform splits stdout on
// newlines, so newlines inside a message are turned into "\r" (the record stays
// one line; log viewers that honour "\r" still show the message's lines).
//
//   Text format (default):  <ISO time>\t<request id>\t<LEVEL>\t<util.format(...)>
//   JSON format (AWS_LAMBDA_LOG_FORMAT=JSON):
//     {"timestamp":..,"level":..,"requestId":..,"message":..}
//
// The request id is the one of the current (or, between invocations, the most
// recent) invocation; before the first invocation it prints as "undefined".
// When the instance runs several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY),
// each one runs in an AsyncLocalStorage context and its records carry its own
// request id, whatever the handler awaits in between.
// AWS_LAMBDA_LOG_LEVEL (TRACE..FATAL) drops records below that level.

import { AsyncLocalStorage } from 'node:async_hooks';
import util from 'node:util';
import { asError, formatErrorForLog } from './errors.mjs';

// Kept under a registry symbol so that libraries loaded by the handler (and
// the bootstrap's own modules) can read the current request id.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');

export function setCurrentRequestId(id) {
  globalThis[REQUEST_ID] = id;
}

export function setCurrentTenantId(id) {
  globalThis[TENANT_ID] = id;
}

// Only created for concurrent invocations: tracking async contexts has a cost.
let invocationContext = null;

export function enableConcurrentInvocations() {
  invocationContext ??= new AsyncLocalStorage();
}

// Runs `fn` as part of the invocation `requestId` (see above).
export function runInInvocation(requestId, tenantId, fn) {
  if (!invocationContext) return fn();
  return invocationContext.run({ requestId, tenantId }, fn);
}

function currentRequestId() {
  const store = invocationContext?.getStore();
  return store ? store.requestId : globalThis[REQUEST_ID];
}

function currentTenantId() {
  const store = invocationContext?.getStore();
  return store ? store.tenantId : globalThis[TENANT_ID];
}

const LEVELS = {
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  FATAL: 6,
};

// Error values inside a JSON record: type, message, stack as an array of lines,
// plus the error's own enumerable fields.
function jsonErrorReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value?.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

function jsonRecord(time, level, args) {
  const record = { timestamp: time, level, requestId: currentRequestId() };
  const tenantId = currentTenantId();
  if (tenantId !== undefined) record.tenantId = tenantId;
  if (args.length === 1) {
    // A single argument is kept as structured data when it serialises.
    record.message = args[0];
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = util.format(record.message);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(...args);
  const firstError = args.find((a) => a instanceof Error);
  if (firstError) {
    record.errorType = firstError?.constructor?.name ?? 'UnknownError';
    record.errorMessage = firstError.message;
    record.stackTrace = typeof firstError.stack === 'string' ? firstError.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function writeRecord(line) {
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function textWriter(level) {
  return (message, ...params) => {
    const time = new Date().toISOString();
    writeRecord(
      `${time}\t${currentRequestId()}\t${level}\t${util.format(message, ...params)}`,
    );
  };
}

function jsonWriter(level) {
  return (message, ...params) => {
    writeRecord(jsonRecord(new Date().toISOString(), level, [message, ...params]));
  };
}

const noop = () => {};

let logErrorImpl = (label, err) => console.error(label, formatErrorForLog(asError(err)));

// Replaces the console methods. Called once, before the handler is loaded.
export function patchConsole(env = process.env) {
  const json = String(env.AWS_LAMBDA_LOG_FORMAT ?? '').toUpperCase() === 'JSON';
  const threshold = LEVELS[String(env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()] ?? LEVELS.TRACE;
  const make = json ? jsonWriter : textWriter;
  const at = (level) => (LEVELS[level] >= threshold ? make(level) : noop);

  console.trace = at('TRACE');
  console.debug = at('DEBUG');
  console.info = at('INFO');
  console.log = console.info;
  console.warn = at('WARN');
  console.error = at('ERROR');
  console.fatal = make('FATAL');

  logErrorImpl = json
    ? (_label, err) => console.error(asError(err))
    : (label, err) => console.error(label, formatErrorForLog(asError(err)));
}

// Logs an error the runtime is about to report ("Invoke Error",
// "Uncaught Exception", "Unhandled Promise Rejection").
export function logError(label, err) {
  try {
    logErrorImpl(label, err);
  } catch {
    // Logging must never stop an error from being reported.
  }
}
