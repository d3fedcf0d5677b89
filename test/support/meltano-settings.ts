import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from './meltano.js';
import { executables, runExecutable } from './repo.js';

/** A plugin setting as meltano.yml declares it. */
export interface MeltanoSetting {
  name: string;
  label: string;
  description: string;
  kind: string;
  value?: unknown;
  sensitive?: boolean;
  options?: { label: string; value: unknown }[];
}

interface AboutSetting {
  type?: string | string[];
  title?: string;
  description: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  secret?: boolean;
  writeOnly?: boolean;
}

export interface About {
  name: string;
  capabilities: string[];
  settings: { properties: Record<string, AboutSetting>; required?: string[] };
}

export const meltanoYmlPath = resolve(projectRoot, 'meltano.yml');
export const pluginExecutables = { 'tap-oracle-wms': executables.tap, 'target-oracle': executables.target };
export type PluginName = keyof typeof pluginExecutables;

export function readAbout(plugin: PluginName): About {
  const result = runExecutable(pluginExecutables[plugin], ['--about', '--format', 'json']);
  if (result.status !== 0) throw new Error(`${plugin} --about failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as About;
}

// A JSON Schema `number` is kind `string`, not `decimal`: Meltano 4 reads a `decimal` setting
// from a variable (or a `${VAR}` in meltano.yml) as a Python Decimal and then fails to write it
// as JSON ("Object of type Decimal is not JSON serializable"). As `string`, a value from a
// variable or `meltano config set` reaches the connector as text ("0.5"), which the kit's
// validateConfig takes for a number setting; a number written in meltano.yml stays a number.
const KINDS: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'string',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
};

/** How a JSON Schema setting from `--about` reads as a Meltano setting definition. */
export function meltanoSetting(name: string, setting: AboutSetting): MeltanoSetting {
  const types = Array.isArray(setting.type) ? setting.type : [setting.type ?? 'string'];
  const type = types.find((candidate) => candidate !== 'null') ?? 'string';
  const dated = setting.format === 'date' || setting.format === 'date-time';
  const result: MeltanoSetting = {
    name,
    label: setting.title ?? name,
    description: setting.description,
    kind: setting.enum ? 'options' : dated ? 'date_iso8601' : (KINDS[type] ?? 'string'),
  };
  if (setting.default !== undefined) result.value = setting.default;
  if (setting.secret === true || setting.writeOnly === true) result.sensitive = true;
  if (setting.enum) result.options = setting.enum.map((value) => ({ label: String(value), value }));
  return result;
}

export function settingsFromAbout(about: About): MeltanoSetting[] {
  return Object.entries(about.settings.properties).map(([name, setting]) => meltanoSetting(name, setting));
}

// JSON is valid YAML, and it quotes every string that YAML would otherwise reinterpret.
const yaml = (value: unknown): string => JSON.stringify(value);

function renderSettings(about: About, indent: string): string[] {
  const lines = [`${indent}settings:`];
  for (const setting of settingsFromAbout(about)) {
    lines.push(`${indent}- name: ${setting.name}`);
    lines.push(`${indent}  label: ${yaml(setting.label)}`);
    lines.push(`${indent}  kind: ${setting.kind}`);
    if (setting.value !== undefined) lines.push(`${indent}  value: ${yaml(setting.value)}`);
    if (setting.sensitive) lines.push(`${indent}  sensitive: true`);
    if (setting.options) {
      lines.push(`${indent}  options:`);
      for (const option of setting.options) {
        lines.push(`${indent}  - {label: ${yaml(option.label)}, value: ${yaml(option.value)}}`);
      }
    }
    lines.push(`${indent}  description: ${yaml(setting.description)}`);
  }
  const required = about.settings.required ?? [];
  if (required.length > 0) lines.push(`${indent}settings_group_validation:`, `${indent}- ${yaml(required)}`);
  return lines;
}

const marker = (plugin: string) => `# Settings generated from \`${plugin} --about --format json\``;

/** The generated lines after the marker: deeper than it, or its own settings keys. */
function generatedLength(lines: string[], from: number, indent: string): number {
  let index = from;
  while (index < lines.length) {
    const line = lines[index]!;
    const deeper = line.startsWith(`${indent} `) || line.trim() === '';
    const own =
      line.startsWith(`${indent}settings:`) || line.startsWith(`${indent}settings_group_validation:`);
    if (!deeper && !own) break;
    index++;
  }
  return index - from;
}

/** meltano.yml with each plugin's settings block rendered from its executable's `--about`. */
export function renderMeltanoYml(
  current: string,
  plugins = Object.keys(pluginExecutables) as PluginName[],
): string {
  let text = current;
  for (const plugin of plugins) {
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.trim() === marker(plugin));
    if (at < 0) throw new Error(`meltano.yml: the line "${marker(plugin)}" is missing`);
    const indent = lines[at]!.slice(0, lines[at]!.indexOf('#'));
    lines.splice(
      at + 1,
      generatedLength(lines, at + 1, indent),
      ...renderSettings(readAbout(plugin), indent),
    );
    text = lines.join('\n');
  }
  return text;
}

/** The lint step formats YAML too: leaves meltano.yml the way it wants it. */
export function formatMeltanoYml(): void {
  const biome = resolve(projectRoot, 'node_modules/@biomejs/biome/bin/biome');
  const formatted = spawnSync(process.execPath, [biome, 'format', '--write', meltanoYmlPath], {
    stdio: 'inherit',
  });
  if (formatted.status !== 0) process.exitCode = 1;
}

if (process.argv.includes('--write')) {
  const named = process.argv.filter((arg): arg is PluginName => arg in pluginExecutables);
  const plugins = named.length > 0 ? named : undefined;
  writeFileSync(meltanoYmlPath, renderMeltanoYml(readFileSync(meltanoYmlPath, 'utf8'), plugins));
  formatMeltanoYml();
  process.stderr.write(`wrote the settings in ${meltanoYmlPath}\n`);
}
