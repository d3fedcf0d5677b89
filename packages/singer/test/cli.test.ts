import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/echo-connector.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'singer-cli-'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  /** Called once the child is spawned, e.g. to signal it or close its stdout. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

function run(args: string[], options: RunOptions = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.NODE_TEST_CONTEXT;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [FIXTURE, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  child.stdout.on('error', () => {});
  child.stdin.on('error', () => {});
  child.stdin.end(options.stdin ?? '');
  options.onSpawn?.(child);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const user = (extra: Record<string, unknown> = {}): string =>
  file(`c-${Math.random()}.json`, { username: 'ann', ...extra });

/** The STATE value the fixture's report mode prints as its first line. */
function report(outcome: Outcome): Record<string, unknown> {
  assert.equal(outcome.code, 0, outcome.stderr);
  const first = JSON.parse(outcome.stdout.split('\n')[0]!);
  assert.equal(first.type, 'STATE');
  return first.value;
}

/** The one stderr line of a failure; besides it only the run_summary line (after config is read). */
function oneStderrLine(outcome: Outcome): string {
  const lines = outcome.stderr.split('\n').filter((line) => !isSummaryLine(line));
  assert.equal(lines.pop(), '', 'stderr ends with a newline');
  assert.equal(lines.length, 1, `exactly one stderr line, got: ${outcome.stderr}`);
  assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

/** The harness's own failure line: the one stderr line that is not a JSON log line. */
function failureLine(outcome: Outcome): string {
  const lines = outcome.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
  assert.equal(lines.length, 1, `exactly one plain stderr line, got: ${outcome.stderr}`);
  assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

const isSummaryLine = (line: string): boolean => line.startsWith('{') && line.includes('"msg":"run_summary"');

const logLines = (stderr: string): Array<Record<string, unknown>> =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));

describe('CLI harness: informational options', { concurrency: 4 }, () => {
  it('--version prints name and version', async () => {
    const outcome = await run(['--version']);
    assert.equal(outcome.code, 0);
    assert.equal(outcome.stdout, 'echo-connector 1.2.3\n');
    assert.equal(outcome.stderr, '');
  });

  it('--about prints JSON with capabilities and the settings schema used to validate config', async () => {
    const outcome = await run(['--about']);
    assert.equal(outcome.code, 0);
    const about = JSON.parse(outcome.stdout);
    assert.equal(about.name, 'echo-connector');
    assert.equal(about.version, '1.2.3');
    assert.deepEqual(about.capabilities, ['about', 'catalog', 'discover', 'state']);
    assert.deepEqual(about.settings.required, ['username']);
    assert.deepEqual(Object.keys(about.settings.properties), [
      'username',
      'password',
      'mode',
      'count',
      'region',
      'log_level',
      'metrics_interval_seconds',
      'stop_grace_seconds',
    ]);
    assert.equal(about.settings.properties.password.secret, true);
    assert.deepEqual(JSON.parse((await run(['--about', '--format', 'json'])).stdout), about);
  });

  it('--about --format markdown prints a settings table', async () => {
    const outcome = await run(['--about', '--format', 'markdown']);
    assert.equal(outcome.code, 0);
    assert.ok(outcome.stdout.startsWith('# `echo-connector`\n'));
    assert.match(outcome.stdout, /## Capabilities\n\n- `about`\n/);
    assert.match(outcome.stdout, /\| `username` \| string \| required \| {2}\| Who connects\. \|/);
    assert.match(outcome.stdout, /\| `password` \| string \| secret \| {2}\| Secret password\. \|/);
    assert.match(outcome.stdout, /\| `log_level` \|/);
  });
});

describe('CLI harness: usage and configuration errors exit 2 with one line', { concurrency: 4 }, () => {
  it('a missing required setting (no --config at all)', async () => {
    const outcome = await run([]);
    assert.equal(outcome.code, 2);
    assert.equal(oneStderrLine(outcome), 'echo-connector: setting "username" is required');
    assert.equal(outcome.stdout, '');
  });

  it('an invalid setting names it and the reason', async () => {
    const outcome = await run(['--config', user({ count: 'many' })]);
    assert.equal(outcome.code, 2);
    assert.equal(oneStderrLine(outcome), 'echo-connector: setting "count" must be integer (got "many")');
  });

  it('an unknown setting, a bad enum value', async () => {
    const unknown = await run(['--config', user({ colour: 'red' })]);
    assert.equal(unknown.code, 2);
    assert.equal(oneStderrLine(unknown), 'echo-connector: setting "colour" is not a known setting');
    const mode = await run(['--config', user({ mode: 'dance' })]);
    assert.equal(mode.code, 2);
    assert.match(oneStderrLine(mode), /^echo-connector: setting "mode" must be one of "echo", /);
  });

  it('a secret setting of the wrong type is named without its value', async () => {
    const outcome = await run(['--config', user({ password: 123456789 })]);
    assert.equal(outcome.code, 2);
    assert.equal(oneStderrLine(outcome), 'echo-connector: setting "password" must be string');
  });

  it('an unknown option or format value', async () => {
    const bogus = await run(['--bogus']);
    assert.equal(bogus.code, 2);
    assert.match(oneStderrLine(bogus), /^echo-connector: Unknown argument: bogus$/);
    const format = await run(['--about', '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(oneStderrLine(format), /^echo-connector: Invalid values:/);
  });

  it('an unreadable or non-JSON config, catalog, state or input file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--config', join(dir, 'none.json')],
        /^echo-connector: cannot read config file .*none\.json \(ENOENT\)$/,
      ],
      [
        ['--config', file('bad.json', '{"username": ')],
        /^echo-connector: config file .*bad\.json is not valid JSON/,
      ],
      [
        ['--config', file('arr.json', '[1]')],
        /^echo-connector: config file .*arr\.json: expected a JSON object$/,
      ],
      [['--config', user(), '--catalog', file('cat.json', '{}')], /"streams" array$/],
      [['--config', user(), '--state', file('st.json', '[')], /state file .*st\.json is not valid JSON/],
      [
        ['--config', user({ mode: 'echo' }), '--input', join(dir, 'no-input.jsonl')],
        /^echo-connector: cannot read input file .*no-input\.jsonl \(ENOENT\)$/,
      ],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, pattern], i) => {
      const outcome = outcomes[i]!;
      assert.equal(outcome.code, 2, `${args.join(' ')}: ${outcome.stderr}`);
      assert.match(oneStderrLine(outcome), pattern);
    });
  });
});

describe('CLI harness: config, catalog, state and input', { concurrency: 4 }, () => {
  it('merges repeated --config files, later files winning setting by setting', async () => {
    const first = file('first.json', { username: 'ann', region: 'eu', count: 1 });
    const second = file('second.json', { region: 'us' });
    const value = report(await run(['--config', first, '--config', second]));
    assert.deepEqual(value.config, {
      username: 'ann',
      region: 'us',
      count: 1,
      mode: 'report',
      metrics_interval_seconds: 60,
      stop_grace_seconds: 120,
    });
    const reversed = report(await run(['--config', second, '--config', first]));
    assert.equal((reversed.config as Record<string, unknown>).region, 'eu');
  });

  it('reads --catalog, and --properties as its legacy name', async () => {
    const catalog = file('catalog.json', { streams: [{ tap_stream_id: 'orders', schema: {} }] });
    assert.deepEqual(report(await run(['--config', user(), '--catalog', catalog])).catalogStreams, [
      'orders',
    ]);
    assert.deepEqual(report(await run(['--config', user(), '--properties', catalog])).catalogStreams, [
      'orders',
    ]);
  });

  it('reads --state', async () => {
    const state = file('state.json', { bookmarks: { orders: { replication_key_value: 5 } } });
    assert.deepEqual(report(await run(['--config', user(), '--state', state])).state, {
      bookmarks: { orders: { replication_key_value: 5 } },
    });
  });

  it('--discover ignores --state and --catalog, even broken ones', async () => {
    const broken = file('broken-state.json', '{ not json');
    const value = report(
      await run(['--config', user(), '--discover', '--state', broken, '--catalog', broken]),
    );
    assert.equal(value.discover, true);
    assert.equal(value.state, null);
    assert.equal(value.catalogStreams, null);
  });

  it('reads messages from --input FILE and from stdin', async () => {
    const lines = [
      '{"type":"SCHEMA","stream":"s","schema":{},"key_properties":[]}',
      '{"type":"RECORD","stream":"s","record":{"id":1}}',
      '{"type":"STATE","value":{"n":1}}',
    ];
    const input = file('input.jsonl', `${lines.join('\r\n')}\r\n\r\n`);
    const fromFile = await run(['--config', user({ mode: 'echo' }), '--input', input]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, `${lines.join('\n')}\n`);
    const fromStdin = await run(['--config', user({ mode: 'echo' })], { stdin: `${lines.join('\n')}\n` });
    assert.equal(fromStdin.stdout, `${lines.join('\n')}\n`);
  });
});

describe('CLI harness: runtime failures exit 1 with one line', { concurrency: 4 }, () => {
  it('a bad input line names its line number', async () => {
    const outcome = await run(['--config', user({ mode: 'echo' })], {
      stdin: '{"type":"STATE","value":1}\n\n{"type":"RECORD","stream":"s"}\n',
    });
    assert.equal(outcome.code, 1);
    assert.equal(
      failureLine(outcome),
      'echo-connector: line 3: RECORD for stream "s" has no "record" object',
    );
  });

  it('a truncated last line', async () => {
    const outcome = await run(['--config', user({ mode: 'echo' })], {
      stdin: '{"type":"STATE","value":1}\n{"type":"STATE","val',
    });
    assert.equal(outcome.code, 1);
    assert.match(failureLine(outcome), /^echo-connector: line 2: the input ended in the middle of a message/);
  });

  it('a SingerError thrown by the connector', async () => {
    const outcome = await run(['--config', user({ mode: 'runtime-error' })]);
    assert.equal(outcome.code, 1);
    assert.equal(failureLine(outcome), 'echo-connector: the fixture failed on purpose');
  });

  it('an unexpected error: one line, no stack, and the password never shown', async () => {
    const password = 'S3cr3t-Pa55';
    const outcome = await run(['--config', user({ mode: 'fail', password })]);
    assert.equal(outcome.code, 1);
    assert.equal(
      failureLine(outcome),
      'echo-connector: unexpected error: login refused for ann with password [REDACTED] at the server',
    );
    assert.ok(!outcome.stderr.includes(password));
  });

  it('at debug level the stack is logged, still without the password', async () => {
    const password = 'S3cr3t-Pa55';
    const outcome = await run(['--config', user({ mode: 'fail', password, log_level: 'debug' })]);
    assert.equal(outcome.code, 1);
    assert.ok(!outcome.stderr.includes(password));
    assert.ok(logLines(outcome.stderr).some((line) => line.msg === 'stack'));
  });
});

describe('CLI harness: logging, redaction and metrics on stderr', { concurrency: 4 }, () => {
  const password = 'Tr0ub4dor&3';

  it('nothing secret reaches stderr; stdout stays clean', async () => {
    const outcome = await run(['--config', user({ mode: 'log', password })]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stdout, '');
    const basic = Buffer.from(`ann:${password}`).toString('base64');
    for (const secret of [
      password,
      JSON.stringify(password).slice(1, -1),
      basic,
      'abcdefghijklmnop',
      'tok-123456789',
    ]) {
      assert.ok(!outcome.stderr.includes(secret), `${secret} leaked into stderr:\n${outcome.stderr}`);
    }
    const lines = logLines(outcome.stderr);
    const request = lines.find((line) => line.msg === 'request sent')!;
    assert.deepEqual(request.headers, { Authorization: '[REDACTED]' });
    assert.equal(lines.find((line) => line.msg === 'settings')!.password, '[REDACTED]');
    assert.equal(lines.find((line) => line.level === 40)!.msg, 'the server said: bad password [REDACTED]');
  });

  it('LOG_LEVEL applies when log_level is unset; log_level wins over LOG_LEVEL', async () => {
    const [fromEnv, quiet, setting] = await Promise.all([
      run(['--config', user({ mode: 'log', password })], { env: { LOG_LEVEL: 'debug' } }),
      run(['--config', user({ mode: 'log', password })], { env: { LOG_LEVEL: undefined } }),
      run(['--config', user({ mode: 'log', password, log_level: 'warn' })], { env: { LOG_LEVEL: 'debug' } }),
    ]);
    assert.ok(logLines(fromEnv.stderr).some((line) => line.msg === 'a debug line'));
    assert.ok(!logLines(quiet.stderr).some((line) => line.msg === 'a debug line'));
    assert.deepEqual(
      logLines(setting.stderr)
        .filter((line) => line.msg !== 'run_summary')
        .map((line) => line.level),
      [40],
    );
  });

  it('METRIC lines: counter deltas every interval and at exit, timers in seconds', async () => {
    const outcome = await run(['--config', user({ mode: 'metrics', metrics_interval_seconds: 0.2 })]);
    assert.equal(outcome.code, 0, outcome.stderr);
    const metrics = logLines(outcome.stderr)
      .map((line) => line.msg as string)
      .filter((msg) => msg.startsWith('METRIC: '))
      .map((msg) => JSON.parse(msg.slice(8)));
    assert.deepEqual(metrics[0], {
      type: 'counter',
      metric: 'record_count',
      value: 5,
      tags: { stream: 'things' },
    });
    const timer = metrics.find((m) => m.type === 'timer');
    assert.equal(timer.metric, 'sync_duration');
    assert.deepEqual(timer.tags, { stream: 'things', status: 'succeeded' });
    assert.ok(timer.value >= 0.5 && timer.value < 10, `timer ${timer.value} s`);
    // the last counter line carries only what was counted since the previous one
    assert.deepEqual(metrics.at(-1), {
      type: 'counter',
      metric: 'record_count',
      value: 3,
      tags: { stream: 'things' },
    });
    assert.equal(
      metrics.filter((m) => m.type === 'counter').reduce((sum, m) => sum + m.value, 0),
      8,
    );
  });
});

describe('CLI harness: output delivery', { concurrency: 4 }, () => {
  it('nothing is lost when stdout is a pipe read slowly and the process exits', async () => {
    const count = 20_000; // about 5 MB, far past any pipe buffer
    const outcome = await run(['--config', user({ mode: 'emit', count })], {
      onSpawn: (child) => {
        child.stdout?.pause();
        setTimeout(() => child.stdout?.resume(), 400);
      },
    });
    assert.equal(outcome.code, 0, outcome.stderr);
    const lines = outcome.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, count + 1);
    assert.equal(lines.at(-1), `{"type":"STATE","value":{"done":${count}}}`);
    assert.equal(JSON.parse(lines[count - 1]!).record.id, count - 1);
  });

  it('nothing is lost when stdout is a file', async () => {
    const count = 20_000;
    const path = join(dir, 'out.jsonl');
    const fd = openSync(path, 'w');
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [FIXTURE, '--config', user({ mode: 'emit', count })], {
      env,
      stdio: ['ignore', fd, 'pipe'],
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    closeSync(fd);
    assert.equal(code, 0);
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, count + 2);
    assert.equal(lines.at(-2), `{"type":"STATE","value":{"done":${count}}}`);
  });

  it('a last small write queued behind a full pipe still arrives before exit', async () => {
    // The fixture fills the 64 KiB pipe exactly, then writes one more line that must queue.
    // Exiting once 'drain' is not needed would drop it; the reader only starts after a pause.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const out = join(dir, 'fill.jsonl');
    const config = user({ mode: 'fill-pipe' });
    const script = `"${process.execPath}" "${FIXTURE}" --config "${config}" | (sleep 0.4; cat > "${out}")`;
    const child = spawn('bash', ['-c', script], { env, stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => child.on('close', resolve)), 0);
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[1], '{"type":"STATE","value":{"done":true}}');
  });

  it('EPIPE: the reader going away ends the process with one clear line and exit 1', async () => {
    const outcome = await run(['--config', user({ mode: 'emit', count: 2_000_000 })], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.stdout?.destroy());
      },
    });
    assert.equal(outcome.code, 1);
    assert.equal(
      oneStderrLine(outcome),
      'echo-connector: the reader of our output went away (EPIPE): stopping',
    );
  });

  it('EPIPE through a shell pipeline into `head -c 10`', async () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const config = user({ mode: 'emit', count: 2_000_000 });
    const script = `"${process.execPath}" "${FIXTURE}" --config "${config}" | head -c 10 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    await new Promise((resolve) => child.on('close', resolve));
    const plain = stderr.split('\n').filter((line) => !isSummaryLine(line));
    assert.deepEqual(plain, [
      'echo-connector: the reader of our output went away (EPIPE): stopping',
      'exit=1',
      '',
    ]);
  });

  it('SIGINT: a connector that throws the abort reason still exits 130, with one line', async () => {
    const outcome = await run(['--config', user({ mode: 'wait-signal', count: 1 })], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.kill('SIGINT'));
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    assert.equal(failureLine(outcome), 'echo-connector: stopped by SIGINT');
  });

  it('a connector still finishing after stop_grace_seconds exits 143 without waiting, with one line', async () => {
    const started = Date.now();
    const outcome = await run(['--config', user({ mode: 'hang-on-signal', stop_grace_seconds: 0.5 })], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.kill('SIGTERM'));
      },
    });
    assert.equal(outcome.code, 143, outcome.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(
      failureLine(outcome),
      'echo-connector: stopped by SIGTERM; still finishing after stop_grace_seconds (0.5 s), exiting without waiting',
    );
  });

  it('SIGTERM aborts context.signal, the connector finishes cleanly, exit 143', async () => {
    const outcome = await run(['--config', user({ mode: 'wait-signal' })], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.kill('SIGTERM'));
      },
    });
    assert.equal(outcome.code, 143, outcome.stderr);
    const lines = outcome.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(lines[0].value, { ready: true });
    assert.deepEqual(lines[1].value, { aborted: true, reason: 'SingerError: stopped by SIGTERM' });
  });
});

describe('CLI harness: the run_summary audit line', { concurrency: 4 }, () => {
  const summaryOf = (outcome: Outcome): Record<string, unknown> => {
    const lines = logLines(outcome.stderr).filter((line) => line.msg === 'run_summary');
    assert.equal(lines.length, 1, `exactly one run_summary line, got: ${outcome.stderr}`);
    return lines[0]!;
  };

  it('a run logs streams, records, bytes, retries, rejects, bookmarks and its bounds, whatever log_level', async () => {
    const state = file('summary-state.json', { bookmarks: { things: { replication_key_value: 'before' } } });
    const outcome = await run(['--config', user({ mode: 'summary', log_level: 'error' }), '--state', state], {
      env: { MELTANO_RUN_ID: undefined, MELTANO_ENVIRONMENT: undefined },
    });
    assert.equal(outcome.code, 0, outcome.stderr);
    const summary = summaryOf(outcome);
    assert.equal(summary.level, 30);
    assert.equal(summary.event, 'run_summary');
    assert.equal(summary.executable, 'echo-connector');
    assert.equal(summary.version, '1.2.3');
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.exit_code, 0);
    assert.match(
      String(summary.run_id),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(summary.meltano_run_id, null);
    assert.deepEqual(summary.streams, { things: { records: 3, bytes: 30 }, others: { records: 4 } });
    assert.equal(summary.records, 7);
    assert.equal(summary.bytes, 30);
    assert.equal(summary.retries, 1);
    assert.equal(summary.rejects, 1);
    assert.equal(summary.input_bytes, 12);
    assert.deepEqual(summary.bookmarks_before, { things: { replication_key_value: 'before' } });
    assert.deepEqual(summary.bookmarks_after, { things: { replication_key_value: 'after' } });
    const started = Date.parse(String(summary.started_at));
    const ended = Date.parse(String(summary.ended_at));
    assert.ok(started <= ended && ended <= Date.now(), `${summary.started_at} .. ${summary.ended_at}`);
    assert.equal(summary.duration_seconds, (ended - started) / 1000);
  });

  it("Meltano's run id (MELTANO_RUN_ID) is the run id, and its environment is named", async () => {
    const id = '0b6f4a52-8f5e-4a55-9a53-3f0c8b1f0e11';
    const outcome = await run(['--config', user({ mode: 'summary' })], {
      env: { MELTANO_RUN_ID: id, MELTANO_ENVIRONMENT: 'prod' },
    });
    const summary = summaryOf(outcome);
    assert.equal(summary.run_id, id);
    assert.equal(summary.meltano_run_id, id);
    assert.equal(summary.meltano_environment, 'prod');
  });

  it('a failed run logs its exit status and the failure line, without the secret in it', async () => {
    const password = 'hunter2-secret';
    const outcome = await run(['--config', user({ mode: 'fail', password })]);
    assert.equal(outcome.code, 1);
    const summary = summaryOf(outcome);
    assert.equal(summary.status, 'failed');
    assert.equal(summary.exit_code, 1);
    assert.match(
      String(summary.error),
      /^unexpected error: login refused for ann with password \[REDACTED\]/,
    );
    assert.ok(!outcome.stderr.includes(password));
    assert.equal(summary.bookmarks_before, null);
    assert.equal(summary.bookmarks_after, null);
  });

  it('a config error and a stop by signal still log one', async () => {
    const bad = await run(['--config', user({ count: 'many' })]);
    assert.equal(bad.code, 2);
    assert.equal(summaryOf(bad).exit_code, 2);
    const stopped = await run(['--config', user({ mode: 'wait-signal' })], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.kill('SIGTERM'));
      },
    });
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.equal(summaryOf(stopped).status, 'stopped');
  });

  it('--version and --about are not runs: no summary', async () => {
    assert.equal((await run(['--version'])).stderr, '');
  });
});
