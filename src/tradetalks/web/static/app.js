// The workbench page: every text from a scenario or a run goes into the page as text
// (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { analysis: null, runId: null, validateTimer: null, analyzeSeq: 0 };

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function table(columns, rows, caption) {
  const t = el("table");
  if (caption) t.appendChild(el("caption", caption));
  const head = el("tr");
  columns.forEach((c) => head.appendChild(el("th", c)));
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  rows.forEach((r) => {
    const tr = body.appendChild(el("tr"));
    r.forEach((cell) => {
      if (cell instanceof Node) tr.appendChild(el("td")).appendChild(cell);
      else tr.appendChild(el("td", cell));
    });
  });
  return t;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

function post(path, data) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" },
                     body: JSON.stringify(data) });
}

function status(text) { $("status").textContent = text; }

// --- scenario library and editor ------------------------------------------------------

async function loadLibrary() {
  const list = $("scenario-list");
  list.replaceChildren();
  for (const s of await api("/api/scenarios")) {
    const li = el("li", null, { "data-name": s.name });
    li.appendChild(el("strong", s.name));
    li.appendChild(el("small", `${s.title}${s.outcomes ? " · " + s.outcomes + " deals" : ""}`));
    li.addEventListener("click", () => openScenario(s.name));
    list.appendChild(li);
  }
}

async function openScenario(name) {
  const s = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  $("editor-title").textContent = `Editor: ${name}`;
  $("editor").value = s.text;
  renderGutter([]);
  await validateNow(true);
}

function renderGutter(badLines) {
  const n = $("editor").value.split("\n").length;
  const gutter = $("gutter");
  gutter.replaceChildren();
  const bad = new Set(badLines);
  for (let i = 1; i <= n; i++) {
    const line = el("div", i, { "data-line": i });
    if (bad.has(i)) line.className = "bad";
    gutter.appendChild(line);
  }
  const editor = $("editor");
  editor.style.height = `${Math.max(n * 18.2 + 10, 300)}px`;
}

async function validateNow(analyze) {
  const text = $("editor").value;
  const result = await post("/api/scenarios/validate", { text });
  const list = $("problems");
  list.replaceChildren();
  const lines = [];
  for (const p of result.problems) {
    if (p.line) lines.push(p.line);
    const where = p.line ? `line ${p.line}: ` : "";
    list.appendChild(el("li", `${where}${p.field ? p.field + ": " : ""}${p.message}`,
                        { "data-line": p.line || "" }));
  }
  renderGutter(lines);
  $("run").disabled = !result.ok;
  $("analyze").disabled = !result.ok;
  status(result.ok ? `valid: ${result.title}` : `${result.problems.length} problem(s)`);
  if (result.ok && analyze) await analyzeNow();
  return result.ok;
}

function onEdit() {
  renderGutter([]);
  clearTimeout(state.validateTimer);
  state.validateTimer = setTimeout(() => validateNow(true), 300);
}

async function analyzeNow() {
  const seq = ++state.analyzeSeq;
  status("analysing…");
  const started = performance.now();
  try {
    const result = await post("/api/analyze", { text: $("editor").value });
    if (seq !== state.analyzeSeq) return;  // a newer edit is being analysed
    state.analysis = result;
    renderAnalysis(result);
    status(`analysed in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  } catch (error) {
    status(`analysis failed: ${error.message}`);
  }
}

// --- results ----------------------------------------------------------------------------

function dealText(row, issues, parties) {
  const labels = issues.map((i) => `${i}=${row["issue:" + i]}`).join(", ");
  const ratifiers = parties.filter((p) => row["ratified:" + p]);
  const who = ratifiers.length ? ratifiers.join(", ") : "nobody";
  const us = parties.map((p) => `${p} ${Number(row["u:" + p]).toFixed(3)}`).join(" · ");
  return `${labels}<br>ratified by: ${who}<br>${us}`;
}

function escapeHtml(text) {
  // Plotly renders hover text as HTML: escape what comes from the scenario.
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                    '"': "&quot;", "'": "&#39;" })[c]);
}

// Plotly's default colours repeat after ten: twelve TPP parties need more (Plotly's Dark24).
const MANY_COLOURS = ["#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A",
  "#B68100", "#750D86", "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D",
  "#6C7C32", "#778AAE", "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516",
  "#0D2A63", "#AF0038"];

function fixed3(value) {
  // A value that rounds to zero prints as 0.000, never -0.000.
  return (Math.abs(value) < 5e-4 ? 0 : value).toFixed(3);
}

function renderAnalysis(result) {
  const summary = result.summary;
  const parties = summary.parties;
  const issues = Object.keys(summary.issues);
  const a = summary.analysis;
  $("results").hidden = false;
  $("results-title").textContent = `Results: ${summary.title}`;
  const many = parties.length > 2;
  $("headline").textContent = `Zone of agreement: ${a.zopa_size} of ${a.n_outcomes} deals are ` +
    (many ? `in all ${parties.length} parties' win-sets.` : "in both win-sets.");
  // The plane shows the first two parties; with more, a deal both of them can ratify may
  // still fall to a third party's veto, so it gets a group of its own.
  const [px, py] = parties;
  const groups = [
    ["no one's win-set", (r) => !r["win_set:" + px] && !r["win_set:" + py], "#bbbbbb"],
    [`${px}'s win-set only`, (r) => r["win_set:" + px] && !r["win_set:" + py], "#4c78a8"],
    [`${py}'s win-set only`, (r) => !r["win_set:" + px] && r["win_set:" + py], "#f58518"],
    ...(many ? [[`${px}'s and ${py}'s, not every party's`,
                 (r) => r["win_set:" + px] && r["win_set:" + py] && !r.zopa, "#9467bd"]] : []),
    [many ? "every party's (ZOPA)" : "both (ZOPA)", (r) => r.zopa, "#2ca02c"],
  ];
  const safeIssues = issues.map(escapeHtml);
  const traces = groups.map(([name, keep, color]) => {
    const rows = result.outcomes.filter(keep);
    return {
      type: "scatter", mode: "markers", name, x: rows.map((r) => r["u:" + px]),
      y: rows.map((r) => r["u:" + py]), marker: { color, size: 7 },
      text: rows.map((r) => dealText(
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, escapeHtml(v)])),
        safeIssues, parties)),
      hovertemplate: "%{text}<extra></extra>",
    };
  });
  if (a.nash) {
    traces.push({ type: "scatter", mode: "markers", name: "Nash deal",
                  x: [a.nash.utilities[px]], y: [a.nash.utilities[py]],
                  marker: { symbol: "star", size: 16, color: "#d62728" },
                  text: [Object.entries(a.nash.labels).map(([k, v]) => escapeHtml(`${k}=${v}`))
                    .join(", ")], hovertemplate: "Nash: %{text}<extra></extra>" });
  }
  Plotly.react("plot-space", traces, {
    title: { text: "Bargaining space (utility of each deal)" +
             (many ? `: ${px} and ${py}, 2 of ${parties.length} parties` : "") },
    xaxis: { title: { text: `utility ${px}` } }, yaxis: { title: { text: `utility ${py}` } },
    margin: { t: 40, r: 10 }, legend: { orientation: "h", y: -0.2 },
  }, { responsive: true, displaylogo: false });
  const deal = result.impacts.filter((r) => r.kind === "deal");
  Plotly.react("plot-impacts", parties.map((p) => {
    const rows = deal.filter((r) => r.country === p);
    return { type: "bar", name: p, x: rows.map((r) => r.sector_name),
             y: rows.map((r) => 100 * r.value_added_change) };
  }), { title: { text: "Value added change of the Nash deal (%)" }, margin: { t: 40, b: 120 },
         colorway: parties.length > 10 ? MANY_COLOURS : undefined },
  { responsive: true, displaylogo: false });
  $("winsets").replaceChildren(table(["party", "value of no deal", "deals it can ratify"],
    parties.map((p) => [p, fixed3(a.no_deal[p]), a.win_set_sizes[p]]), "Win-sets"));
  $("threats").replaceChildren(table(["threat", "by", "against", "credible", "credibility"],
    a.threats.map((t) => [t.id, t.by, t.against, t.credible ? "yes" : "no",
                          t.credibility.toFixed(2)]), "Threats"));
  const nash = a.nash ? Object.entries(a.nash.labels).map(([k, v]) => [k, v]) : [];
  $("settle").replaceChildren(table(["issue", "Nash deal"], nash, "Where each issue settles"));
}

function renderSweep(summary) {
  if (!summary || !summary.sweep) return;
  const rows = [];
  for (const [issue, shares] of Object.entries(summary.sweep.options)) {
    rows.push([issue, Object.entries(shares).map(([o, s]) => `${o} ${(100 * s).toFixed(0)}%`)
      .join("  ")]);
  }
  $("settle").replaceChildren(table(["issue", "share of sessions"], rows,
    `Where each issue settles (${summary.sweep.sessions} sessions, agreement ` +
    `${(100 * summary.sweep.agreement_rate).toFixed(0)}%)`));
}

// --- runs ---------------------------------------------------------------------------------

async function startRun() {
  $("job-status").textContent = "starting…";
  const sessions = Number($("sessions").value);
  const job = await post("/api/runs", { text: $("editor").value, sessions });
  const bar = $("progress");
  bar.hidden = false;
  bar.value = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await api(`/api/jobs/${job.id}`);
    bar.value = now.progress;
    $("job-status").textContent = `${now.status}${now.run_id ? " · " + now.run_id : ""}`;
    if (now.status === "failed") { $("job-status").textContent = `failed: ${now.error}`; return; }
    if (now.status === "finished") {
      state.runId = now.run_id;
      const run = await api(`/api/runs/${now.run_id}`);
      renderSweep(run.summary);
      await loadRuns();
      return;
    }
  }
}

async function loadRuns() {
  const runs = await api("/api/runs");
  const body = $("runs-table").querySelector("tbody");
  // A refresh keeps what is ticked (the list may be reloaded while the user picks).
  const ticked = new Set([...body.querySelectorAll("input:checked")].map((i) => i.value));
  body.replaceChildren();
  for (const r of runs) {
    const tick = el("input", null, { type: "checkbox", value: r.run_id, "aria-label": r.run_id });
    tick.checked = ticked.has(r.run_id);
    const link = el("a", "CSV", { href: `/api/runs/${r.run_id}/export?format=csv&table=sessions`,
                                  download: "" });
    const tr = el("tr");
    [tick, r.run_id, r.scenario_id, r.status, r.n_sessions, r.headline, link].forEach((c) => {
      if (c instanceof Node) tr.appendChild(el("td")).appendChild(c);
      else tr.appendChild(el("td", c));
    });
    body.appendChild(tr);
  }
}

async function compareTicked() {
  const ticked = [...document.querySelectorAll("#runs-table input:checked")].map((i) => i.value);
  if (ticked.length !== 2) { status("tick two runs to compare"); return; }
  const cmp = await api(`/api/compare?a=${ticked[0]}&b=${ticked[1]}`);
  const out = $("comparison");
  out.replaceChildren();
  for (const section of ["inputs", "results", "tables"]) {
    const rows = cmp[section].filter((d) => section !== "results" || d.changed);
    const t = table(["field", cmp.a, cmp.b, "b - a"], rows.map((d) =>
      [d.field, JSON.stringify(d.a), JSON.stringify(d.b),
       d.delta === null || !d.changed ? "" : d.delta.toPrecision(4)]), section);
    rows.forEach((d, i) => { if (d.changed) t.tBodies[0].rows[i].className = "changed"; });
    out.appendChild(t);
  }
  out.appendChild(el("pre", cmp.scenario_diff.join("\n") || "scenario: same text"));
  status(`${cmp.n_changed} field(s) differ`);
}

// --- monitor ------------------------------------------------------------------------------

async function loadMonitor() {
  const select = $("monitor-select");
  select.replaceChildren(el("option", "choose an example", { value: "" }));
  for (const name of await api("/api/monitor")) select.appendChild(el("option", name));
  select.addEventListener("change", async () => {
    if (!select.value) return;
    const result = await api(`/api/monitor/${encodeURIComponent(select.value)}`);
    const rows = [];
    for (const g of result.goals) {
      rows.push([g.id, "goal", g.verdict, (g.notes || []).join("; ") || g.title]);
      for (const c of g.criteria) rows.push(["", c.kind, c.verdict, c.evidence]);
    }
    $("monitor-result").replaceChildren(
      el("p", `overall: ${result.verdict}`), table(["goal", "criterion", "verdict", "evidence"],
                                                   rows));
    Plotly.react("plot-monitor", result.goals.filter((g) => g.indicator).map((g) => ({
      type: "scatter", mode: "lines+markers", name: g.id, x: g.indicator.periods,
      y: g.indicator.values })), { title: { text: "Indicators" }, margin: { t: 40 } });
  });
}

// --- casebook ----------------------------------------------------------------------------

const FORECASTER = { program: "tradetalks", naive: "naive rule", base_rate: "base rate (LOO)" };
const METRICS = [["hit", "hit rate", (v) => `${(100 * v).toFixed(0)}%`],
                 ["brier", "Brier", (v) => v.toFixed(3)], ["log_loss", "log loss", (v) => v.toFixed(2)]];

function interval(i, fmt) {
  return i.mean === null ? "" : `${fmt(i.mean)} [${fmt(i.low)}, ${fmt(i.high)}]`;
}

function likeliest(probs) {
  // The forecaster's answer and its probability (ties: the first listed, as the library).
  let best = null;
  for (const [k, p] of Object.entries(probs)) if (best === null || p > probs[best]) best = k;
  return [best, probs[best]];
}

async function loadCasebook() {
  const box = $("casebook-episodes");
  for (const e of await api("/api/casebook/episodes")) {
    const label = el("label", null, { title: e.title });
    label.appendChild(el("input", null, { type: "checkbox", value: e.id, "aria-label": e.id }));
    label.appendChild(document.createTextNode(` ${e.id} (${e.questions} questions)`));
    box.appendChild(label);
  }
}

async function scoreCasebook() {
  const ticked = [...document.querySelectorAll("#casebook-episodes input:checked")]
    .map((i) => i.value);
  const query = new URLSearchParams({ sessions: $("casebook-sessions").value,
                                      cv: $("casebook-cv").checked ? "true" : "false" });
  if (ticked.length) query.set("episodes", ticked.join(","));
  $("casebook-status").textContent = "scoring…";
  const started = performance.now();
  try {
    renderCasebook(await api(`/api/casebook?${query}`));
    $("casebook-status").textContent =
      `scored in ${((performance.now() - started) / 1000).toFixed(2)} s`;
  } catch (error) {
    $("casebook-status").textContent = `failed: ${error.message}`;
  }
}

function renderCasebook(book) {
  const out = $("casebook-result");
  const fs = book.forecasters;
  const episodes = Object.keys(book.by_episode);
  const book_rows = fs.map((f) => [FORECASTER[f] || f,
    ...METRICS.map(([m, , fmt]) => interval(book.scores[f][m], fmt))]);
  book_rows.push(["tradetalks − naive", ...METRICS.map(([m, , fmt]) =>
    interval(book.versus_naive[m], (v) => (v >= 0 ? "+" : "") + fmt(v)))]);
  const whole = table(["forecaster", ...METRICS.map(([, label]) => `${label} [95% CI]`)],
    book_rows, `The casebook: ${book.questions.length} questions, ${episodes.length} episodes, ` +
    `${book.settings}, ${book.sessions} sessions each (bootstrap intervals over episodes)`);
  whole.id = "casebook-book";
  const perEpisode = table(["episode", "questions", "deal", ...fs.flatMap((f) =>
    [`${FORECASTER[f] || f} hit`, `${FORECASTER[f] || f} Brier`])],
    episodes.map((e) => {
      const row = book.by_episode[e];
      const run = book.episodes.find((r) => r.episode === e) || { summary: {} };
      const deal = run.summary.agreement_rate;
      return [e, row.questions, deal === null || deal === undefined ? "" :
        `${(100 * deal).toFixed(0)}%`, ...fs.flatMap((f) =>
        [METRICS[0][2](row[f].hit), METRICS[1][2](row[f].brier)])];
    }), "Episodes (mean over their questions)");
  perEpisode.id = "casebook-episodes-table";
  const questions = table(["episode", "question", "kind", "record",
    ...fs.map((f) => `${FORECASTER[f] || f}: answer (p)`), "tradetalks hit"],
    book.questions.map((q) => [q.episode, q.text, q.kind, q.record,
      ...fs.map((f) => { const [a, p] = likeliest(q.probabilities[f]);
                         return `${a} (${p.toFixed(2)})`; }),
      q.scores.program.hit === 1 ? "✓" : q.scores.program.hit === 0 ? "✗" :
        q.scores.program.hit.toFixed(2)]),
    "Questions: each forecaster's likeliest answer and its probability");
  questions.id = "casebook-questions";
  out.replaceChildren(whole, perEpisode, questions);
  if (book.chosen) {
    out.appendChild(table(["episode", "setting chosen on the other episodes"],
      Object.entries(book.chosen), `Cross-validation by ${book.metric}`));
  }
}

// --- wiring -------------------------------------------------------------------------------

document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => {
  document.querySelectorAll("nav button, .tab").forEach((n) => n.classList.remove("active"));
  b.classList.add("active");
  $(`tab-${b.dataset.tab}`).classList.add("active");
  if (b.dataset.tab === "runs") loadRuns();
}));
$("editor").addEventListener("input", onEdit);
$("analyze").addEventListener("click", analyzeNow);
$("run").addEventListener("click", startRun);
$("compare").addEventListener("click", compareTicked);
$("casebook-score").addEventListener("click", scoreCasebook);
loadLibrary().then(() => status("ready"));
loadMonitor();
loadCasebook();
