/**
 * The overview page: one self-contained HTML document (no build step, no external assets) that follows
 * `/api/events` (Server-Sent Events) and redraws. Dark, large figures, red/amber/green, for 3 a.m.
 */
export const overviewPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gateway cluster</title>
<style>
  :root { color-scheme: dark; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --dim: #8b949e; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #0d1117; color: #e6edf3; }
  header { display: flex; gap: 1.5rem; align-items: baseline; padding: 0.8rem 1.2rem; border-bottom: 1px solid #30363d; }
  header h1 { font-size: 1.2rem; margin: 0; }
  header a { color: #58a6ff; }
  #status { color: var(--dim); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1rem; padding: 1rem 1.2rem; }
  section { background: #161b22; border: 1px solid #30363d; border-radius: 8px; padding: 0.8rem 1rem; }
  h2 { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--dim); margin: 0 0 0.6rem; }
  .big { font-size: 2.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
  .row { display: flex; gap: 1.5rem; flex-wrap: wrap; }
  .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { text-align: left; padding: 0.2rem 0.4rem; border-bottom: 1px solid #21262d; white-space: nowrap; }
  section { overflow-x: auto; }
  th { color: var(--dim); font-weight: normal; }
  .shards { display: flex; flex-wrap: wrap; gap: 4px; }
  .shard { min-width: 2.2rem; text-align: center; padding: 0.2rem; border-radius: 4px; font-size: 0.8rem; background: #21262d; }
  .shard.running { background: #1a4d2a; } .shard.waiting, .shard.starting { background: #5a4210; } .shard.unowned, .shard.failed { background: #6e1b1b; }
  svg { vertical-align: middle; }
  .dim { color: var(--dim); }
</style>
</head>
<body>
<header><h1>Discord gateway cluster</h1><span id="status">connecting…</span><a href="queues">Bull Board →</a></header>
<main>
  <section><h2>Events</h2><div class="row"><div><div class="big" id="events-per-second">—</div><div class="dim">events/s</div></div><svg id="events-spark" width="220" height="50"></svg></div></section>
  <section><h2>Shards</h2><div class="row"><div><div class="big" id="shards-ready">—</div><div class="dim">READY</div></div><div><div class="big" id="shards-not-ready">—</div><div class="dim">not READY</div></div></div><div class="dim" id="generations"></div><div class="shards" id="shards"></div></section>
  <section><h2>Lanes</h2><table><thead><tr><th>lane</th><th>waiting</th><th>active</th><th>delayed</th><th>failed</th><th>lag</th><th></th></tr></thead><tbody id="lanes"></tbody></table></section>
  <section><h2>Discord REST</h2><div class="row"><div><div class="big" id="rest-rate">—</div><div class="dim">requests/s</div></div><div><div class="big" id="rest-429">—</div><div class="dim">429s (ours)</div></div><div><div class="big" id="rest-invalid">—</div><div class="dim">invalid requests</div></div></div><div class="dim" id="rest-shared"></div></section>
  <section><h2>Processes</h2><table><thead><tr><th>role</th><th>host · pid</th><th>up</th><th>tasks</th></tr></thead><tbody id="processes"></tbody></table></section>
  <section><h2>Scheduled jobs</h2><table><thead><tr><th>job</th><th>latest runs (newest first)</th><th>24 h failures</th></tr></thead><tbody id="jobs"></tbody></table><div class="dim" id="delayed"></div></section>
  <section><h2>Failed jobs</h2><table><thead><tr><th>lane</th><th>job</th><th>cause</th></tr></thead><tbody id="failed"></tbody></table></section>
</main>
<script>
  const history = { events: [], lanes: {} };
  const text = (id, value, cls) => { const el = document.getElementById(id); el.textContent = value; if (cls !== undefined) el.className = 'big ' + cls; };
  const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const age = (ms) => ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 60000) + ' min';
  const spark = (values, width, height) => {
    if (values.length < 2) return '';
    const max = Math.max(...values, 1);
    const points = values.map((v, i) => (i * width / (values.length - 1)).toFixed(1) + ',' + (height - v / max * (height - 2) - 1).toFixed(1)).join(' ');
    return '<polyline fill="none" stroke="#58a6ff" stroke-width="1.5" points="' + points + '"/>';
  };
  const push = (list, value) => { list.push(value); if (list.length > 60) list.shift(); };
  function render(o) {
    document.getElementById('status').textContent = 'live · ' + new Date(o.at).toLocaleTimeString();
    push(history.events, o.eventsPerSecond);
    text('events-per-second', Math.round(o.eventsPerSecond).toLocaleString('en'));
    document.getElementById('events-spark').innerHTML = spark(history.events, 220, 50);
    const ready = o.shards.filter((s) => s.state === 'running').length;
    text('shards-ready', ready, 'ok');
    text('shards-not-ready', o.shards.length - ready, o.shards.length - ready > 0 ? 'bad' : 'ok');
    const g = o.generations || {};
    const r = g.reshard;
    document.getElementById('generations').textContent = !g.active ? '' : 'generation ' + g.active.generation + ' · ' + g.active.shardCount + ' shards' +
      (r ? ' · resharding to ' + r.shardCount + ' (generation ' + r.generation + '): ' + (r.phase === 'holding'
        ? r.ready + '/' + r.shardCount + ' ready, rolls back in ' + age(Math.max(0, r.deadline - o.at))
        : 'switching, ' + r.cutOverConfirmed + '/' + g.active.shardCount + ' old shards past the switch') : '') +
      (!r && g.last ? ' · last reshard: ' + g.last.outcome : '');
    document.getElementById('shards').innerHTML = o.shards.map((s) =>
      '<span class="shard ' + esc(s.state) + '" data-generation="' + s.generation + '" data-shard="' + s.shard + '" data-state="' + esc(s.state) + '" title="generation ' + s.generation + ' · shard ' + s.shard + ' · ' + esc(s.state) + ' · ' + esc(s.owner || 'no owner') + ' · ' + esc(s.detail) + '">' + s.shard + '</span>').join('');
    document.getElementById('lanes').innerHTML = o.lanes.map((l) => {
      const h = history.lanes[l.lane] || (history.lanes[l.lane] = []);
      push(h, l.waiting);
      const cls = l.lagMs > 5000 ? 'bad' : l.lagMs > 1000 ? 'warn' : 'ok';
      return '<tr data-lane="' + esc(l.lane) + '"><td>' + esc(l.lane) + '</td><td>' + l.waiting + '</td><td>' + l.active + '</td><td>' + l.delayed + '</td><td class="' + (l.failed > 0 ? 'bad' : '') + '">' + l.failed +
        '</td><td class="' + cls + '">' + age(l.lagMs) + '</td><td><svg width="90" height="20">' + spark(h, 90, 20) + '</svg></td></tr>';
    }).join('');
    const ours = (o.rest.rateLimited.user || 0) + (o.rest.rateLimited.global || 0);
    text('rest-rate', o.rest.requestsPerSecond.toFixed(1));
    text('rest-429', ours, ours > 0 ? 'bad' : 'ok');
    text('rest-invalid', o.rest.invalid, o.rest.invalid > 5000 ? 'bad' : o.rest.invalid > 1000 ? 'warn' : 'ok');
    document.getElementById('rest-shared').textContent = (o.rest.rateLimited.shared || 0) + ' shared 429s (not ours)' +
      (o.identifyBudgetExhaustedUntil ? ' · no identifies left until ' + new Date(o.identifyBudgetExhaustedUntil).toLocaleString() : '');
    document.getElementById('processes').innerHTML = o.processes.map((p) =>
      '<tr><td>' + esc(p.role) + '</td><td>' + esc(p.host) + ' · ' + p.pid + '</td><td>' + age(p.uptimeMs) + '</td><td>' + p.tasks + '</td></tr>').join('');
    document.getElementById('failed').innerHTML = o.failedJobs.length === 0 ? '<tr><td class="ok" colspan="3">none</td></tr>' :
      o.failedJobs.map((j) => '<tr><td>' + esc(j.lane) + '</td><td>' + esc(j.name) + ' #' + esc(j.id) + '</td><td class="bad">' + esc(j.reason) + '</td></tr>').join('');
  }
  // Job runs live in PostgreSQL, not in the overview stream: read every 5 s.
  const runCell = (r) => '<span class="' + (r.outcome === 'succeeded' ? 'ok' : r.outcome === 'failed' || r.outcome === 'abandoned' ? 'bad' : 'warn') + '" data-outcome="' + esc(r.outcome) + '" title="' +
    esc(new Date(r.startedAt).toLocaleString() + ' · attempt ' + r.attempt + ' · ' + r.runnerId + (r.error ? ' · ' + r.error : '')) + '">' + esc(r.outcome) + ' ' + (r.durationMs === null ? '—' : r.durationMs + ' ms') + (r.error ? ' (' + esc(r.error) + ')' : '') + '</span>';
  async function renderJobs() {
    try {
      const response = await fetch('api/jobs');
      const j = await response.json();
      if (!response.ok) throw new Error(j.error);
      document.getElementById('jobs').innerHTML = j.periodic.length === 0 ? '<tr><td class="dim" colspan="3">no runs recorded yet</td></tr>' :
        j.periodic.map((p) => '<tr data-job="' + esc(p.job) + '"><td>' + esc(p.job) + '</td><td>' + p.latest.slice(0, 3).map(runCell).join(' · ') + '</td><td class="' + (p.failedLastDay > 0 ? 'bad' : 'ok') + '">' + p.failedLastDay + '</td></tr>').join('');
      const counts = Object.entries(j.delayed.counts).map(([status, count]) => status + ' ' + count).join(', ');
      document.getElementById('delayed').textContent = 'delayed jobs: ' + (counts || 'none scheduled') +
        (j.delayed.nextDue ? ' · next ' + j.delayed.nextDue.name + ' at ' + new Date(j.delayed.nextDue.runAt).toLocaleString() : '') +
        j.delayed.failed.slice(0, 3).map((f) => ' · failed #' + f.id + ' ' + f.name + ': ' + (f.error || '')).join('');
    } catch (error) {
      document.getElementById('delayed').textContent = String(error.message || error);
    }
  }
  renderJobs();
  setInterval(renderJobs, 5000);
  const source = new EventSource('api/events');
  source.addEventListener('overview', (event) => render(JSON.parse(event.data)));
  source.onerror = () => { document.getElementById('status').textContent = 'reconnecting…'; };
</script>
</body>
</html>
`;
