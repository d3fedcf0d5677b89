import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettingsReference, renderSettingsReference } from './support/settings-reference.js';

test('docs/settings.md is what the executables print with --about --format markdown', () => {
  const expected = renderSettingsReference();
  assert.ok(expected.includes('`base_url`'), 'the tap documents base_url');
  assert.ok(expected.includes('`sqlite_path`'), 'the target documents sqlite_path');
  assert.equal(
    readSettingsReference(),
    expected,
    'run `npm run docs:settings` to regenerate docs/settings.md',
  );
});
