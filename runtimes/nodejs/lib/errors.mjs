// Error classes raised by the Nimbus Node.js bootstrap, and the two ways an
// error leaves the process: the JSON document posted to the Runtime API and the
// one-line form written to the function's log.
//
// The shapes are the ones Lambda's Node.js runtime produces, so callers that
// parse `errorType` / `errorMessage` / `trace` see the same values on Nimbus.

import util from 'node:util';

// Each runtime error class carries a `Runtime.` prefixed name on its prototype,
// so both `err.name` and the first line of `err.stack` read e.g.
// "Runtime.ImportModuleError: Error: Cannot find module 'x'".
function runtimeError(shortName) {
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: shortName });
  cls.prototype.name = `Runtime.${shortName}`;
  return cls;
}

export const ImportModuleError = runtimeError('ImportModuleError');
export const HandlerNotFound = runtimeError('HandlerNotFound');
export const MalformedHandlerName = runtimeError('MalformedHandlerName');
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
export const MalformedStreamingHandler = runtimeError('MalformedStreamingHandler');
export const InvalidStreamingOperation = runtimeError('InvalidStreamingOperation');

// Reported when the event loop drains while an `async` handler's promise is
// still pending: nothing can ever settle it any more.
export class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. ' +
        'This is most commonly caused by a Promise that was never settled. ' +
        'For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';

// Wraps the reason of a promise rejection nobody handled. The message is the
// reason converted to a string (e.g. "Error: boom"); the reason and the promise
// stay attached as enumerable fields so they show up in the logged JSON.
export class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

// True for objects that are not real Errors but carry the three string fields
// an error report needs.
function isErrorLike(value) {
  return Boolean(
    value &&
      value.name &&
      value.message &&
      value.stack &&
      typeof value.name === 'string' &&
      typeof value.message === 'string' &&
      typeof value.stack === 'string',
  );
}

// The body posted to /invocation/{id}/error and /init/error.
//   Error (or error-like) -> {errorType: name, errorMessage: message, trace: stack lines}
//   anything else         -> {errorType: typeof value, errorMessage: String form, trace: []}
// If reading the fields throws (hostile getters, a missing stack, null), a fixed
// "handled" document is returned instead.
export function toErrorResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return {
      errorType: typeof error,
      errorMessage: error.toString(),
      trace: [],
    };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// Turns any thrown value into an Error (used for logging only).
export function asError(value) {
  return value instanceof Error ? value : new Error(value);
}

// Error objects keep name/message/stack as non-enumerable properties; this
// JSON.stringify replacer spells them out (stack as an array of lines) and keeps
// the error's own enumerable fields. It applies to nested errors too.
function expandErrors(_key, value) {
  if (!(value instanceof Error)) return value;
  const out = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: value.code },
    value,
  );
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

// The text-format log payload for an error: a tab, then the error as JSON.
export function formatErrorForLog(error) {
  try {
    return '\t' + JSON.stringify(error, expandErrors);
  } catch {
    return '\t' + JSON.stringify(toErrorResponse(error));
  }
}

// X-Ray "cause" document for the optional Lambda-Runtime-Function-XRay-Error-Cause
// header: the working directory, the exception with its parsed stack frames,
// and the distinct source paths. Returns '' when the error cannot be described.
export function xrayCause(error) {
  try {
    const frames = [];
    if (error && typeof error.stack === 'string') {
      for (const raw of error.stack.split('\n').slice(1)) {
        let text = raw.trim().replace(/[()]/g, '');
        text = text.slice(text.indexOf(' ') + 1); // drop the leading "at"
        const cut = text.lastIndexOf(' ');
        const label = cut >= 0 ? text.slice(0, cut) : '';
        const location = (label ? text.slice(cut + 1) : text).split(':');
        frames.push({
          path: location[0],
          line: parseInt(location[1], 10),
          label: label || 'anonymous',
        });
      }
    }
    return JSON.stringify({
      working_directory: process.cwd(),
      exceptions: [{ type: error.name, message: error.message, stack: frames }],
      paths: [...new Set(frames.map((f) => f.path))],
    });
  } catch {
    return '';
  }
}
