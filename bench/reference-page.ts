// The browser bench's peer: a fixed page, measured in the same browser at the same time as the
// dashboard, whose "live update" is always the same work: twenty table rows of new quintuples
// formatted and written (five texts and a bar each, as the dashboard's table), a 60-point
// sparkline redrawn, and its style, layout and paint. The host's speed swings by half from one
// minute to the next here, and this page swings with it; the dashboard's cost in units of this
// one does not, and that ratio is what tells a change in the app from a change in the machine.
// It marks each update as the app does (UPDATE_MARK, same detail), so the same probe measures it.
import { UPDATE_MARK } from './browser-probe.ts';

/** Seconds between two reference updates (the dashboard's topic publishes about every 6 s). */
const REFERENCE_EVERY_S = 2;

export const REFERENCE_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>flowdeck bench: reference update</title>
<style>
  body { margin: 0; background: #0b0e14; color: #d8dee9; font: 12px system-ui, sans-serif; }
  .wrap { width: 900px; height: 560px; overflow: auto; will-change: transform; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 11px; }
  td { padding: 4px 6px; border-bottom: 1px solid #222a36; white-space: nowrap; }
  td.addr { font-family: ui-monospace, monospace; overflow: hidden; text-overflow: ellipsis; }
  td.r { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { display: block; height: 6px; border-radius: 3px;
    background: linear-gradient(to right, #2dd4a4 0 var(--x), #222a36 var(--x)); }
  svg { width: 300px; height: 48px; display: block; }
</style></head>
<body>
<svg viewBox="0 0 300 48" preserveAspectRatio="none"><path id="spark" fill="none" stroke="#60a5fa"/></svg>
<div class="wrap"><table><tbody id="rows"></tbody></table></div>
<script>
  // A fixed pseudo-random sequence: the same numbers in every run.
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ip = () => [10, Math.floor(rnd() * 255), Math.floor(rnd() * 255), Math.floor(rnd() * 255)].join('.');
  const bytes = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
  const int = new Intl.NumberFormat('en');
  const body = document.getElementById('rows');
  const cells = [];
  for (let r = 0; r < 20; r++) {
    const tr = body.insertRow();
    const row = [];
    for (let c = 0; c < 6; c++) row.push(tr.insertCell());
    row[0].textContent = String(r + 1);
    row[1].className = row[2].className = 'addr';
    row[3].className = row[4].className = 'r';
    const bar = document.createElement('span');
    bar.className = 'bar';
    row[5].append(bar, document.createTextNode(''));
    cells.push({ src: row[1], dst: row[2], bytes: row[3], packets: row[4], bar, share: row[5].lastChild });
  }
  const spark = document.getElementById('spark');
  let revisions = 0;
  function update() {
    const sizes = Array.from({ length: 20 }, () => rnd() * 5e6).sort((a, b) => b - a);
    const total = sizes.reduce((a, b) => a + b, 0);
    sizes.forEach((b, i) => {
      const c = cells[i];
      c.src.textContent = ip() + ':' + (1024 + Math.floor(rnd() * 60000));
      c.dst.textContent = ip() + ':443';
      c.bytes.textContent = bytes.format(b / 1e6) + ' MB';
      c.packets.textContent = int.format(Math.round(b / 1200));
      c.bar.style.setProperty('--x', ((100 * b) / sizes[0]).toFixed(1) + '%');
      c.share.data = ((100 * b) / total).toFixed(1) + '%';
    });
    const pts = Array.from({ length: 60 }, (_, i) => (i * 5).toFixed(1) + ',' + (46 - rnd() * 44).toFixed(1));
    spark.setAttribute('d', 'M' + pts.join('L'));
    revisions += 1;
    performance.mark(${JSON.stringify(UPDATE_MARK)}, { detail: { revisions, commits: revisions } });
  }
  update();
  setInterval(update, ${REFERENCE_EVERY_S * 1000});
</script>
</body></html>`;
