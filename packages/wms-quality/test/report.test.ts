import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Simulator } from '@wms-singer/wms-simulator';
import { CHECK_NAMES, load, quality, simulator, tapConfig, tempDir, truth } from './support/warehouse.js';

/** Debian's chromium (or another Chromium build on PATH); undefined when none is installed. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

describe('wms-quality report --html', () => {
  let sim: Simulator;
  const dir = tempDir();
  const db = join(dir, 'report.db');
  const html = join(dir, 'report.html');
  let expectedKeys: string[] = [];
  before(async () => {
    sim = await simulator({ integrityViolationRate: 0.05, seed: 21 });
    sim.advance({ updates: 3, seconds: 60 });
    await load(sim, dir, { dialect: 'sqlite', sqlite_path: db });
    expectedKeys = (await truth(sim)).rules.order_dtl_has_order_hdr!.keys;
    // three runs: a history to chart, with different thresholds so statuses differ
    await quality(dir, { dialect: 'sqlite', sqlite_path: db, wms: tapConfig(sim) });
    await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      checks: { order_dtl_has_order_hdr: { threshold: 0.5 } },
    });
    await quality(dir, { dialect: 'sqlite', sqlite_path: db, wms: tapConfig(sim) });
  });
  after(() => sim.stop());

  test('writes one self-contained page: latest result per check, failing keys, charts, nothing fetched', async () => {
    const run = await quality(dir, { dialect: 'sqlite', sqlite_path: db }, ['report', '--html', html]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /wms-quality: report of 3 run\(s\) written to /);
    const page = readFileSync(html, 'utf8');
    for (const name of CHECK_NAMES) {
      assert.ok(page.includes(`<b>${name}</b>`), `${name} has a row`);
    }
    assert.ok(page.includes(expectedKeys.join(', ')), 'the latest failing keys are listed');
    assert.ok(
      (page.match(/<svg /g) ?? []).length >= 7,
      'one failing-rows chart per check and the freshness chart',
    );
    assert.ok(page.includes('Lag of the newest mod_ts'));
    // self-contained: no script, no stylesheet or image to fetch, no URL but the SVG namespace
    assert.doesNotMatch(page, /<script|<link|<img|@import|url\(/i);
    assert.deepEqual(
      [...new Set(page.match(/https?:\/\/[^\s"'<)]+/g) ?? [])],
      ['http://www.w3.org/2000/svg'],
    );
  });

  test('renders in headless Chromium (screenshot)', (t) => {
    const chromium = findChromium();
    if (chromium === undefined) {
      t.skip('no Chromium on PATH (Debian: apt-get install chromium)');
      return;
    }
    assert.ok(existsSync(html), 'the report test above wrote the page');
    const profile = join(dir, 'chromium-profile');
    mkdirSync(profile);
    const shot = join(dir, 'report.png');
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--window-size=1280,1800',
    ];
    const dom = spawnSync(chromium, [...flags, '--dump-dom', `file://${html}`], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(dom.status, 0, dom.stderr);
    assert.match(dom.stdout, /<h1>WMS data quality<\/h1>/);
    assert.match(dom.stdout, /<svg [^>]*role="img"/);
    const shotRun = spawnSync(chromium, [...flags, `--screenshot=${shot}`, `file://${html}`], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(shotRun.status, 0, shotRun.stderr);
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(statSync(shot).size > 20_000, `a screenshot with content (${statSync(shot).size} bytes)`);
    t.diagnostic(`screenshot: ${shot}`);
  });
});
