import { CHECKS } from '../checks/index.js';
import type { CheckResult } from '../results.js';
import { escapeHtml as e, lineChart, type Series } from './charts.js';

const STATUS_COLORS: Record<string, string> = {
  pass: '#1a7f37',
  warn: '#9a6700',
  fail: '#cf222e',
  error: '#8250df',
  skipped: '#6e7781',
};
const TABLE_COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e'];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#59636e;margin:0 0 16px}
table{border-collapse:collapse;width:100%;max-width:1100px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d1d9e0;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.keys{font-family:ui-monospace,monospace;font-size:12px;color:#59636e;overflow-wrap:anywhere}
.desc{font-size:12px;color:#59636e}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;border:1px solid #d1d9e0;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
svg .axis{stroke:#8c959f;stroke-width:1}svg .limit{stroke:#cf222e;stroke-dasharray:4 3;stroke-width:1}
svg .tick{font-size:10px;fill:#59636e}
.legend span{margin-right:10px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
`;

export interface ReportInput {
  /** Rows of the results table, any order. */
  results: CheckResult[];
  /** Runs to chart (the newest). */
  runs: number;
  /** What was checked, for the heading (never a secret). */
  source: string;
  generatedAt: Date;
}

const badge = (status: string): string =>
  `<span class="badge" style="background:${STATUS_COLORS[status] ?? '#6e7781'}">${e(status)}</span>`;

function share(result: CheckResult): string {
  if (result.checked_rows === 0) return '';
  return `${((result.failing_rows / result.checked_rows) * 100).toFixed(3)}%`;
}

/** The whole report: one HTML page with inline CSS and SVG, nothing fetched. */
export function renderReport(input: ReportInput): string {
  const runOrder = [
    ...new Map(
      [...input.results]
        .sort((a, b) => a.started_at.localeCompare(b.started_at))
        .map((r) => [r.run_id, r.started_at]),
    ),
  ];
  const runs = runOrder.slice(-input.runs);
  const runIds = runs.map(([id]) => id);
  const runLabels = runs.map(([, at]) => at.slice(5, 19).replace('T', ' '));
  const byRun = new Map<string, Map<string, CheckResult>>();
  for (const r of input.results) {
    if (!byRun.has(r.run_id)) byRun.set(r.run_id, new Map());
    byRun.get(r.run_id)!.set(r.check_name, r);
  }
  const names = [...new Set([...CHECKS.map((c) => c.name), ...input.results.map((r) => r.check_name)])];
  const latest = names
    .map(
      (name) =>
        [...input.results]
          .filter((r) => r.check_name === name)
          .sort((a, b) => b.started_at.localeCompare(a.started_at))[0],
    )
    .filter((r): r is CheckResult => r !== undefined);
  const description = new Map(CHECKS.map((c) => [c.name, c.description]));
  const unit = new Map(CHECKS.map((c) => [c.name, c.unit]));
  const threshold = (r: CheckResult): string =>
    unit.get(r.check_name) === 'share' ? `${(r.threshold * 100).toFixed(2)}%` : String(r.threshold);

  const rows = latest
    .map((r) => {
      const keys =
        r.failing_keys.length > 0 ? `<div class="keys">${r.failing_keys.map(e).join(', ')}</div>` : '';
      const note =
        typeof r.detail.reason === 'string' || typeof r.detail.error === 'string'
          ? `<div class="keys">${e(String(r.detail.reason ?? r.detail.error))}</div>`
          : '';
      return (
        `<tr><td><b>${e(r.check_name)}</b><div class="desc">${e(description.get(r.check_name) ?? '')}</div></td>` +
        `<td>${badge(r.status)}</td><td class="n">${r.checked_rows}</td><td class="n">${r.failing_rows}</td>` +
        `<td class="n">${unit.get(r.check_name) === 'share' ? share(r) : ''}</td><td class="n">${threshold(r)}</td><td>${e(r.severity)}</td>` +
        `<td>${keys}${note}</td><td>${e(r.started_at)}</td></tr>`
      );
    })
    .join('');

  const failingCharts = names
    .map((name) => {
      const values = runIds.map((id) => byRun.get(id)?.get(name)?.failing_rows ?? null);
      if (values.every((v) => v === null)) return '';
      const chart = lineChart(`failing rows of ${name} per run`, runLabels, [
        { label: name, color: '#0969da', values },
      ]);
      return `<figure><figcaption>${e(name)}: failing rows</figcaption>${chart}</figure>`;
    })
    .join('');

  const freshnessTables = new Set<string>();
  for (const id of runIds) {
    const tables = byRun.get(id)?.get('freshness')?.detail.tables as Record<string, unknown> | undefined;
    for (const t of Object.keys(tables ?? {})) freshnessTables.add(t);
  }
  const lagSeries: Series[] = [...freshnessTables].map((table, i) => ({
    label: table,
    color: TABLE_COLORS[i % TABLE_COLORS.length]!,
    values: runIds.map((id) => {
      const tables = byRun.get(id)?.get('freshness')?.detail.tables as
        | Record<string, { lag_hours?: unknown }>
        | undefined;
      const lag = tables?.[table]?.lag_hours;
      return typeof lag === 'number' ? lag : null;
    }),
  }));
  const latestFreshness = latest.find((r) => r.check_name === 'freshness');
  const windowHours = Number(latestFreshness?.detail.window_hours ?? 2);
  const freshness =
    lagSeries.length === 0
      ? '<p>No freshness results yet.</p>'
      : `<figure><figcaption>Lag of the newest mod_ts (hours) per run</figcaption>${lineChart(
          'lag of the newest mod_ts per table, hours',
          runLabels,
          lagSeries,
          { value: windowHours, label: `window ${windowHours} h` },
        )}<div class="legend">${lagSeries
          .map((s) => `<span><i style="background:${s.color}"></i>${e(s.label)}</span>`)
          .join('')}</div></figure>`;
  const freshnessRows = Object.entries(
    (latestFreshness?.detail.tables ?? {}) as Record<string, Record<string, unknown>>,
  )
    .map(
      ([table, t]) =>
        `<tr><td>${e(table)}</td><td class="n">${e(String(t.rows ?? ''))}</td><td>${e(String(t.newest_mod_ts ?? 'none'))}</td>` +
        `<td class="n">${e(String(t.lag_hours ?? ''))}</td><td>${e(String(t.last_loaded_at ?? 'not recorded'))}</td></tr>`,
    )
    .join('');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WMS data quality</title><style>${CSS}</style></head><body>
<h1>WMS data quality</h1>
<p class="meta">${e(input.source)} · ${runIds.length} run(s) shown · generated ${e(input.generatedAt.toISOString())}</p>
<h2>Latest result per check</h2>
${latest.length === 0 ? '<p>No results yet: run <code>wms-quality check</code> first.</p>' : `<table><thead><tr><th>check</th><th>status</th><th>checked</th><th>failing</th><th>share</th><th>threshold</th><th>severity</th><th>failing keys</th><th>checked at</th></tr></thead><tbody>${rows}</tbody></table>`}
<h2>Freshness</h2>
${freshnessRows ? `<table><thead><tr><th>table</th><th>rows</th><th>newest mod_ts</th><th>lag (h)</th><th>last load</th></tr></thead><tbody>${freshnessRows}</tbody></table>` : ''}
<div class="charts">${freshness}</div>
<h2>Failing rows over the last runs</h2>
<div class="charts">${failingCharts || '<p>No runs yet.</p>'}</div>
</body></html>
`;
}
