/**
 * A small, dependency-free SVG line chart: enough to show training vs validation loss,
 * with and without dropout, the picture from "Deep Learning with Python" that shows why
 * dropout exists. Pure function: series in, SVG text out.
 */

export interface ChartSeries {
  label: string;
  /** y values at x = 1, 2, ... (epochs). */
  values: number[];
  color: string;
  /** Dashed lines for validation curves, solid for training curves. */
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 180, top: 40, bottom: 48 };

export function lineChartSvg(series: ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) throw new Error('lineChartSvg: no finite values to plot');
  const maxX = Math.max(...series.map((s) => s.values.length));
  const [yMin, yMax] = niceRange(Math.min(...all), Math.max(...all));
  const xOf = (i: number) => MARGIN.left + (maxX <= 1 ? plotW / 2 : (i * plotW) / (maxX - 1));
  const yOf = (v: number) => MARGIN.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  );
  // Grid and y ticks.
  const ticks = 5;
  for (let t = 0; t <= ticks; t++) {
    const v = yMin + ((yMax - yMin) * t) / ticks;
    const y = yOf(v);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fmt(y)}" x2="${MARGIN.left + plotW}" y2="${fmt(y)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${fmt(y + 4)}" text-anchor="end">${formatTick(v)}</text>`,
    );
  }
  // x ticks: one per epoch.
  for (let i = 0; i < maxX; i++) {
    parts.push(`<text x="${fmt(xOf(i))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${i + 1}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const points = s.values
      .map((v, i) => (Number.isFinite(v) ? `${fmt(xOf(i))},${fmt(yOf(v))}` : null))
      .filter((p): p is string => p !== null)
      .join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points}"/>`);
    const ly = MARGIN.top + 12 + k * 20;
    const lx = MARGIN.left + plotW + 16;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Pads the data range a little so curves don't touch the frame; never a zero-height range. */
function niceRange(min: number, max: number): [number, number] {
  if (min === max) return [min - 1, max + 1];
  const pad = (max - min) * 0.05;
  return [min - pad, max + pad];
}

function formatTick(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

function fmt(v: number): string {
  return v.toFixed(1);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
