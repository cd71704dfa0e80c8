/** A small hand-written SVG line chart: log-scaled x (corpus size), linear y (milliseconds). */

export interface Series {
  name: string;
  color: string;
  dash?: string;
  points: Array<[number, number]>;
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines (targets). */
  hlines?: Array<{ y: number; label: string; color: string }>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function fmtX(x: number): string {
  return x >= 1000 ? `${x / 1000}k` : String(x);
}

export function lineChart(spec: ChartSpec): string {
  const W = 720;
  const H = 440;
  const m = { left: 64, right: 190, top: 58, bottom: 56 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ysAll = [...spec.series.flatMap((s) => s.points.map((p) => p[1])), ...(spec.hlines ?? []).map((h) => h.y)].filter(Number.isFinite);
  const yMaxRaw = Math.max(1, ...ysAll) * 1.08;
  const step = niceStep(yMaxRaw, 6);
  const yMax = Math.ceil(yMaxRaw / step) * step;
  const lx = (x: number) => Math.log10(Math.max(1, x));
  const x0 = lx(xs[0] ?? 1);
  const x1 = lx(xs[xs.length - 1] ?? 10);
  const px = (x: number) => m.left + (x1 === x0 ? pw / 2 : ((lx(x) - x0) / (x1 - x0)) * pw);
  const py = (y: number) => m.top + ph - (y / yMax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="24" font-size="16" font-weight="600">${esc(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${m.left}" y="42" fill="#555">${esc(spec.subtitle)}</text>`);
  // grid and y axis
  for (let y = 0; y <= yMax + 1e-9; y += step) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" fill="#444">${+y.toFixed(2)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${fmtX(x)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" fill="#222">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(spec.yLabel)}</text>`);
  for (const h of spec.hlines ?? []) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${py(h.y).toFixed(1)}" y2="${py(h.y).toFixed(1)}" stroke="${h.color}" stroke-dasharray="2 4" stroke-width="1.5"/>`);
    out.push(`<text x="${m.left + pw - 4}" y="${(py(h.y) - 5).toFixed(1)}" text-anchor="end" fill="${h.color}">${esc(h.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length) {
      const d = pts.map((p, k) => `${k ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const p of pts) {
        out.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${p[1]} ms at ${fmtX(p[0])} documents`)}</title></circle>`);
      }
    }
    const ly = m.top + 10 + i * 22;
    const lx0 = m.left + pw + 16;
    out.push(`<line x1="${lx0}" x2="${lx0 + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx0 + 30}" y="${ly + 4}" fill="#222">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
