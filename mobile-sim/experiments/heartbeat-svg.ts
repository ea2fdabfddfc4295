/**
 * The adaptive interval over time, one panel per NAT timeout, as a hand-written SVG: the
 * interval of each ping as a step line, failed pings as red crosses, the NAT timeout dashed.
 */
import type { PingRecord } from './heartbeat-simulation.js';

export interface IntervalSeries {
  natTimeoutMs: number;
  pingLog: readonly PingRecord[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 190;
const MARGIN = { left: 70, right: 20, top: 60, bottom: 50 };
const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;

export function renderIntervalPlot(series: readonly IntervalSeries[], durationMs: number, title: string): string {
  const height = MARGIN.top + series.length * (PANEL_HEIGHT + MARGIN.bottom);
  const panels = series.map((s, i) => panel(s, durationMs, MARGIN.top + i * (PANEL_HEIGHT + MARGIN.bottom)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function panel({ natTimeoutMs, pingLog }: IntervalSeries, durationMs: number, top: number): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const maxIntervalMs = Math.max(natTimeoutMs, ...pingLog.map((p) => p.intervalMs));
  const yMaxMin = Math.ceil(maxIntervalMs / MIN_MS) + 1;
  const x = (ms: number) => (MARGIN.left + (ms / durationMs) * plotWidth).toFixed(1);
  const y = (ms: number) => (top + PANEL_HEIGHT - (ms / (yMaxMin * MIN_MS)) * PANEL_HEIGHT).toFixed(1);
  const parts: string[] = [];
  for (let m = 0; m <= yMaxMin; m++) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(m * MIN_MS)}" y2="${y(m * MIN_MS)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(m * MIN_MS)}" text-anchor="end" dominant-baseline="middle">${m} min</text>`);
  }
  const hours = durationMs / HOUR_MS;
  const hourStep = Math.max(1, Math.ceil(hours / 12));
  for (let h = 0; h <= hours; h += hourStep) {
    parts.push(`<text x="${x(h * HOUR_MS)}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle">${h} h</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`);
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(natTimeoutMs)}" y2="${y(natTimeoutMs)}" stroke="#d33" stroke-dasharray="6 4"/>`,
    `<text x="${MARGIN.left + plotWidth - 4}" y="${Number(y(natTimeoutMs)) - 5}" text-anchor="end" fill="#d33">NAT timeout ${natTimeoutMs / MIN_MS} min</text>`,
  );
  parts.push(`<path d="${stepPath(pingLog, durationMs, x, y)}" fill="none" stroke="#1f6fd1" stroke-width="1.8"/>`);
  for (const ping of pingLog.filter((p) => !p.survived)) {
    const [cx, cy] = [Number(x(ping.atMs)), Number(y(ping.intervalMs))];
    parts.push(
      `<path d="M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}" stroke="#d33" stroke-width="2"/>`,
    );
  }
  const failed = pingLog.filter((p) => !p.survived).length;
  parts.push(
    `<text x="${MARGIN.left}" y="${top - 6}">NAT ${natTimeoutMs / MIN_MS} min: adaptive ping interval (blue), failed pings (red ×): ${failed}</text>`,
  );
  return parts.join('\n');
}

/** Each ping's interval holds from that ping until the interval changes; the last one until the end. */
function stepPath(pingLog: readonly PingRecord[], durationMs: number, x: (ms: number) => string, y: (ms: number) => string): string {
  const [first] = pingLog;
  if (first === undefined) return '';
  let d = `M${x(first.atMs)},${y(first.intervalMs)}`;
  pingLog.forEach((ping, i) => {
    if (i > 0 && ping.intervalMs !== pingLog[i - 1]!.intervalMs) d += `H${x(ping.atMs)}V${y(ping.intervalMs)}`;
  });
  return `${d}H${x(durationMs)}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}
