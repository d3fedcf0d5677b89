/** Small inline SVG charts for the report: no script, no network, readable when printed. */

export interface Series {
  label: string;
  color: string;
  /** One value per run (oldest first); null where the run has none. */
  values: Array<number | null>;
}

const WIDTH = 360;
const HEIGHT = 120;
const PAD = { left: 44, right: 8, top: 8, bottom: 22 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tick(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return `${Math.round(value / 100) / 10}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

/**
 * A line chart of one or more series over the runs (x: run, oldest left), with an optional
 * dashed limit line (the threshold or the freshness window). `title` becomes the SVG's <title>.
 */
export function lineChart(
  title: string,
  runs: string[],
  series: Series[],
  limit?: { value: number; label: string },
): string {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = Math.max(1, ...values, limit?.value ?? 0) * 1.1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (runs.length <= 1 ? plotW / 2 : (i * plotW) / (runs.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`,
    `<title>${escapeHtml(title)}</title>`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" class="axis"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" class="tick" text-anchor="end">${tick(top)}</text>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + plotH}" class="tick" text-anchor="end">0</text>`,
  ];
  if (runs.length > 0) {
    parts.push(`<text x="${PAD.left}" y="${HEIGHT - 6}" class="tick">${escapeHtml(runs[0]!)}</text>`);
    if (runs.length > 1) {
      parts.push(
        `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" class="tick" text-anchor="end">${escapeHtml(runs[runs.length - 1]!)}</text>`,
      );
    }
  }
  if (limit !== undefined) {
    parts.push(
      `<line x1="${PAD.left}" y1="${y(limit.value).toFixed(1)}" x2="${WIDTH - PAD.right}" y2="${y(limit.value).toFixed(1)}" class="limit"/>`,
      `<text x="${WIDTH - PAD.right}" y="${(y(limit.value) - 3).toFixed(1)}" class="tick" text-anchor="end">${escapeHtml(limit.label)}</text>`,
    );
  }
  for (const s of series) {
    const points = s.values
      .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
      .filter((p): p is string => p !== null);
    if (points.length > 1) {
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    for (const point of points) {
      const [px, py] = point.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${s.color}"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
