// _X_AMZN_TRACE_ID without leaking memory.
//
// The runtime puts each invocation's X-Ray trace header in
// process.env._X_AMZN_TRACE_ID, as Lambda's does. Assigning a property of
// node's process.env calls the C library's setenv(), and glibc keeps a copy
// of every distinct value it is given for the life of the process (setenv
// never frees one: another thread may still hold it from getenv). Trace ids
// are unique, so an instance serving thousands of invocations a second
// would grow by hundreds of megabytes an hour, until its memory limit ends
// it.
//
// So process.env becomes a proxy of itself in which _X_AMZN_TRACE_ID alone
// lives in JavaScript: reads, writes, `in`, deletes, Object.keys, spreading
// and the environment child_process passes to children all see it; every
// other variable (TZ included) is the real environment, as before. Only
// native code calling getenv() does not see the variable.

const KEY = '_X_AMZN_TRACE_ID';

export function installTraceIdVariable() {
  const real = process.env;
  let value = real[KEY];
  delete real[KEY];
  const descriptor = () =>
    value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
  process.env = new Proxy(real, {
    get: (target, key) => (key === KEY ? value : Reflect.get(target, key)),
    set: (target, key, v) => {
      if (key !== KEY) return Reflect.set(target, key, v);
      value = `${v}`; // the environment holds strings
      return true;
    },
    deleteProperty: (target, key) => {
      if (key !== KEY) return Reflect.deleteProperty(target, key);
      value = undefined;
      return true;
    },
    has: (target, key) => (key === KEY ? value !== undefined : Reflect.has(target, key)),
    ownKeys: (target) => {
      const keys = Reflect.ownKeys(target);
      if (value !== undefined) keys.push(KEY);
      return keys;
    },
    getOwnPropertyDescriptor: (target, key) =>
      key === KEY ? descriptor() : Reflect.getOwnPropertyDescriptor(target, key),
    defineProperty: (target, key, d) => {
      if (key !== KEY) return Reflect.defineProperty(target, key, d);
      value = `${d.value}`;
      return true;
    },
  });
}
