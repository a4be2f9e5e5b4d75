// Runs the bootstrap against the fake Runtime API in a throw-away task root.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeRuntimeApi } from './fake-runtime-api.mjs';

export const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BOOTSTRAP = path.join(RUNTIME_DIR, 'bootstrap.mjs');
export const SDK_DIR = path.join(RUNTIME_DIR, 'node_modules');

// The environment the platform gives a function instance (minus the parts
// each run fills in).
export function baseEnv() {
  return {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test',
  };
}

// Options:
//   files     {relative path: contents} written under a new task root
//   handler   _HANDLER
//   events    invocations to queue (see FakeRuntimeApi.enqueue)
//   env       extra environment variables
//   until     'results' (default: wait for one response/error per event),
//             'exit' (wait for the process to end), or a predicate on the api
//   timeoutMs give up after this long
//   setup     async (taskRoot) => {} run after the files are written
//   setupApi  (api) => {} to configure the fake Runtime API before the start
// Resolves {api, stdout, stderr, code, signal, lines, taskRoot-relative info}.
export async function runBootstrap({
  files = {},
  handler = 'index.handler',
  events = [{}],
  env = {},
  until = 'results',
  timeoutMs = 15000,
  setup,
  setupApi,
} = {}) {
  const taskRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'nimbus-node-task-'));
  const api = new FakeRuntimeApi();
  let child;
  try {
    for (const [rel, contents] of Object.entries(files)) {
      const file = path.join(taskRoot, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, contents);
    }
    if (setup) await setup(taskRoot);
    if (setupApi) setupApi(api);
    await api.start();
    for (const ev of events) api.enqueue(ev);

    child = spawn(process.execPath, [BOOTSTRAP], {
      cwd: taskRoot,
      env: {
        ...baseEnv(),
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: handler,
        AWS_LAMBDA_RUNTIME_API: api.endpoint,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );

    let target;
    if (until === 'exit') target = exited;
    else if (until === 'results') target = api.waitFor((a) => a.results.length >= events.length);
    else target = api.waitFor(until);

    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([target.then(() => 'ok'), timedOut]);
    clearTimeout(timer);

    // Give the process a moment to finish writing what it was writing, then
    // stop it if it is still running (a healthy bootstrap parks in `next`).
    let status = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 150))]);
    if (!status) {
      child.kill('SIGKILL');
      status = await exited;
    }
    if (outcome === 'timeout') {
      throw new Error(
        `bootstrap run timed out after ${timeoutMs} ms\n` +
          `log: ${JSON.stringify(api.log.map(({ raw, ...r }) => r))}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    }
    return {
      api,
      stdout,
      stderr,
      code: status.code,
      signal: status.signal,
      // Log records: one per stdout line.
      lines: stdout.split('\n').filter((l) => l !== ''),
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await api.close();
    await fs.rm(taskRoot, { recursive: true, force: true });
  }
}
