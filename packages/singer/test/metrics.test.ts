import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, Metrics } from '../src/index.js';

interface MetricLine {
  type: string;
  metric: string;
  value: number;
  tags: Record<string, unknown>;
}

function setup(intervalSeconds = 60) {
  const lines: string[] = [];
  const logger = createLogger({
    name: 't',
    level: 'info',
    destination: { write: (line: string) => lines.push(line) },
  });
  const metrics = new Metrics(logger, intervalSeconds);
  const metricLines = (): MetricLine[] =>
    lines
      .map((line) => JSON.parse(line).msg as string)
      .filter((msg) => msg.startsWith('METRIC: '))
      .map((msg) => JSON.parse(msg.slice('METRIC: '.length)) as MetricLine);
  return { metrics, lines, metricLines };
}

describe('Metrics', () => {
  it('logs counters as deltas in the SDK line format', () => {
    const { metrics, lines, metricLines } = setup();
    metrics.count('record_count', { stream: 'orders' }, 10);
    metrics.count('record_count', { stream: 'orders' }, 5);
    metrics.count('record_count', { stream: 'lines' });
    metrics.flush();
    assert.match(
      JSON.parse(lines[0]!).msg,
      /^METRIC: \{"type":"counter","metric":"record_count","value":15,"tags":\{"stream":"orders"\}\}$/,
    );
    metrics.count('record_count', { stream: 'orders' }, 7);
    metrics.flush();
    metrics.flush(); // nothing new: nothing logged
    assert.deepEqual(metricLines(), [
      { type: 'counter', metric: 'record_count', value: 15, tags: { stream: 'orders' } },
      { type: 'counter', metric: 'record_count', value: 1, tags: { stream: 'lines' } },
      { type: 'counter', metric: 'record_count', value: 7, tags: { stream: 'orders' } },
    ]);
  });

  it('logs timers in seconds', async () => {
    const { metrics, metricLines } = setup();
    metrics.time('http_request_duration', { endpoint: 'order_hdr' }, 0.25);
    const stop = metrics.startTimer('sync_duration', { stream: 'orders' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const seconds = stop({ status: 'succeeded' });
    const [fixed, measured] = metricLines();
    assert.deepEqual(fixed, {
      type: 'timer',
      metric: 'http_request_duration',
      value: 0.25,
      tags: { endpoint: 'order_hdr' },
    });
    assert.equal(measured!.type, 'timer');
    assert.deepEqual(measured!.tags, { stream: 'orders', status: 'succeeded' });
    assert.ok(measured!.value >= 0.025 && measured!.value < 5, `${measured!.value} s`);
    assert.equal(measured!.value, Math.round(seconds * 1e6) / 1e6);
  });

  it('flushes counters every interval and at stop', async () => {
    const { metrics, metricLines } = setup(0.05);
    metrics.start();
    metrics.count('record_count', { stream: 's' }, 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      metricLines().map((m) => m.value),
      [2],
    );
    metrics.count('record_count', { stream: 's' }, 3);
    metrics.stop();
    assert.deepEqual(
      metricLines().map((m) => m.value),
      [2, 3],
    );
  });

  it('an interval of 0 logs only at stop', async () => {
    const { metrics, metricLines } = setup(0);
    metrics.start();
    metrics.count('c', {}, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(metricLines().length, 0);
    metrics.stop();
    assert.equal(metricLines().length, 1);
  });
});
