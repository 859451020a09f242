// The annotator's smaller views (navigation, stances, claim links) and the side-by-side view.
import {
  el, button, makeRoot, sender, listen, guard, isTyping, stanceKeys, labelColors, offsetMaps,
} from "./helpers.js";
import { renderText } from "./textview.js";

// ---------------------------------------------------------------- navigation
function namePrompt(model, root, send) {
  const input = el("input", "nl-annotator-input");
  input.placeholder = "your name (e.g. alice)";
  const go = () => { if (input.value.trim()) send({ action: "set_annotator", name: input.value.trim() }); };
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
  root.append(el("span", "nl-strong", "Annotator name:"), input, button("Start annotating", "nl-start", go));
  const st = model.get("status");
  if (st) root.appendChild(el("span", "nl-error", st));
}

function sourceFilter(model, send) {
  const src = el("select", "nl-source-filter");
  const all = el("option", null, "all sources");
  all.value = "";
  src.appendChild(all);
  for (const s of model.get("sources") || []) {
    const o = el("option", null, s);
    o.value = s;
    if (s === model.get("source")) o.selected = true;
    src.appendChild(o);
  }
  src.addEventListener("change", () => send({ action: "source", source: src.value || null }));
  return src;
}

function progress(model) {
  const done = model.get("done"), total = model.get("total");
  const prog = el("span", "nl-progress");
  const bar = el("span", "nl-bar");
  const fill = el("span", "nl-fill");
  fill.style.width = total ? `${(100 * done) / total}%` : "0";
  bar.appendChild(fill);
  prog.append(bar, el("span", "nl-done", `${done} of ${total} done`));
  return prog;
}

/** Annotator name prompt, previous/next, source filter and progress; returns its cleanup. */
export function renderNav(model, host) {
  const root = makeRoot(host, "nav");
  const offs = [];
  const send = sender(model, root);
  const draw = guard(root, () => {
    root.replaceChildren();
    if (!model.get("annotator")) { namePrompt(model, root, send); return; }
    root.append(el("span", "nl-annotator", "Annotator: " + model.get("annotator")),
      button("◀ Prev", "nl-prev", () => send({ action: "prev" }), "previous document"),
      button("Next ▶", "nl-next", () => send({ action: "next" }), "next document"),
      button("Next unannotated »", "nl-next-todo", () => send({ action: "next_unannotated" })),
      sourceFilter(model, send));
    const pos = model.get("position"), count = model.get("count");
    root.append(el("span", "nl-pos", count ? `doc ${pos} of ${count}` : "no documents"), progress(model));
  });
  root.addEventListener("keydown", (ev) => {
    if (isTyping(ev)) return;
    if (ev.altKey && ev.key === "ArrowRight") send({ action: "next" });
    if (ev.altKey && ev.key === "ArrowLeft") send({ action: "prev" });
  });
  listen(model, ["annotator", "position", "count", "done", "total", "sources", "source", "status"], draw, offs);
  draw();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- stances
function stanceRows(model) {
  const targets = model.get("targets") || [];
  const rows = targets.map((t) => ({ claim: null, target: t }));
  if (model.get("claim")) for (const t of targets) rows.push({ claim: model.get("claim"), target: t });
  return rows;
}

function stanceSection(s, title, claim, current) {
  const { model, root, send } = s;
  const values = model.get("values") || [];
  const keys = stanceKeys(values);
  root.appendChild(el("div", "nl-section", title));
  for (const t of model.get("targets") || []) {
    const rowIndex = s.idx++;
    const row = el("div", "nl-stance-row" + (rowIndex === s.focusRow ? " nl-focus" : ""));
    row.dataset.target = t;
    row.dataset.claim = claim || "";
    row.style.setProperty("--nl-nvalues", String(values.length));
    row.appendChild(el("span", "nl-target", t));
    for (const v of values) {
      const b = button(v, "nl-stance nl-stance-" + v + (current[t] === v ? " nl-active" : ""), () => {
        s.focusRow = rowIndex;
        send({ action: "stance", claim, target: t, value: v });
      }, `key ${keys[v]}`);
      b.dataset.value = v;
      row.appendChild(b);
    }
    root.appendChild(row);
  }
}

// a new stance target for the whole project, and rename/remove of existing ones (like `toolkit targets`)
function addTargetBox(s) {
  const { model, send } = s;
  const box = el("div", "nl-add-target");
  const input = el("input", "nl-target-input");
  input.placeholder = "new stance target";
  const add = () => { if (input.value.trim()) send({ action: "add_target", name: input.value }); };
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { add(); ev.preventDefault(); } });
  box.append(input, button("+ add", "nl-small nl-add-target-btn", add, "add a stance target to the project"));
  const targets = model.get("targets") || [];
  if (!targets.length) return box;
  const pick = el("select", "nl-target-pick");
  for (const t of targets) { const o = el("option", null, t); o.value = t; pick.appendChild(o); }
  const rename = () => { if (input.value.trim()) send({ action: "rename_target", old: pick.value, new: input.value }); };
  box.append(pick,
    button("rename", "nl-small nl-rename-target-btn", rename,
      "rename the chosen target to the text typed; its stances move with it"),
    button("remove", "nl-small nl-remove-target-btn", () => send({ action: "remove_target", name: pick.value }),
      "remove the chosen target (refused while stances use it)"));
  return box;
}

function drawStances(s) {
  const { model, root } = s;
  root.replaceChildren(el("div", "nl-panel-title", "Stance"));
  if (!(model.get("targets") || []).length) {
    root.appendChild(el("div", "nl-muted", "No stance targets yet: add what stances are about (a person, a deal)."));
    root.appendChild(addTargetBox(s));
    return;
  }
  s.focusRow = Math.min(s.focusRow, stanceRows(model).length - 1);
  s.idx = 0;
  stanceSection(s, "Document", null, model.get("doc_values") || {});
  root.appendChild(addTargetBox(s));
  if (model.get("claim")) {
    stanceSection(s, "Selected claim: “" + (model.get("claim_text") || "") + "”", model.get("claim"),
      model.get("claim_values") || {});
  } else root.appendChild(el("div", "nl-muted", "Select a claim to set its stance."));
}

function onStanceKey(s, ev) {
  if (isTyping(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const rows = stanceRows(s.model);
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    s.focusRow = ev.key === "ArrowDown" ? Math.min(s.focusRow + 1, rows.length - 1) : Math.max(s.focusRow - 1, 0);
    drawStances(s);
    ev.preventDefault();
    return;
  }
  const keys = stanceKeys(s.model.get("values") || []);
  const v = Object.keys(keys).find((x) => keys[x] === ev.key);
  const row = rows[s.focusRow];
  if (v && row) s.send({ action: "stance", claim: row.claim, target: row.target, value: v });
}

/** Stance grid for the document and the selected claim, plus the target box; returns its cleanup. */
export function renderStances(model, host) {
  const root = makeRoot(host, "stances");
  const s = { model, root, send: sender(model, root), focusRow: 0, idx: 0 };
  const offs = [];
  root.addEventListener("keydown", guard(root, (ev) => onStanceKey(s, ev)));
  const draw = guard(root, () => drawStances(s));
  listen(model, ["targets", "values", "doc_values", "claim", "claim_text", "claim_values"], draw, offs);
  draw();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- claim links
function candidateRow(model, send, c) {
  const row = el("div", "nl-cand" + (c.linked ? " nl-linked-cand" : ""));
  row.dataset.id = c.id;
  const score = el("span", "nl-score");
  const fill = el("span", "nl-score-fill");
  fill.style.width = `${Math.round(100 * (c.score || 0))}%`;
  score.appendChild(fill);
  score.title = `similarity ${c.score}`;
  const b = button(c.linked ? "✓ linked" : "link", c.linked ? "nl-unlink" : "nl-link",
    () => send({ action: c.linked ? "unlink" : "link", a: model.get("claim"), b: c.id }));
  row.append(b, score, el("span", "nl-source", c.source), el("span", "nl-cand-text", c.text));
  return row;
}

/** Claims of other sources ranked by similarity to the selected claim; returns its cleanup. */
export function renderLinks(model, host) {
  const root = makeRoot(host, "links");
  const offs = [];
  const send = sender(model, root);
  const list = el("div", "nl-cands");
  const filter = el("input", "nl-filter");
  filter.placeholder = "filter candidates";
  const info = el("div", "nl-muted");
  root.append(el("div", "nl-panel-title", "Claim links"), info, filter, list);
  const drawList = guard(root, () => {
    list.replaceChildren();
    if (!model.get("claim")) {
      info.textContent = "Select a claim to link it to claims in other sources.";
      filter.style.display = "none";
      return;
    }
    filter.style.display = "";
    info.textContent = "Link “" + (model.get("claim_text") || "") + "” to:";
    const q = filter.value.trim().toLowerCase();
    const cands = (model.get("candidates") || []).filter((c) => !q ||
      (c.text + " " + c.source + " " + c.doc).toLowerCase().includes(q));
    if (!cands.length) list.appendChild(el("div", "nl-muted", "No claims in other sources' documents yet."));
    for (const c of cands) list.appendChild(candidateRow(model, send, c));
  });
  filter.addEventListener("input", () => drawList());
  listen(model, ["claim", "claim_text", "candidates"], drawList, offs);
  drawList();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- side by side
const CLUSTER_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a5", "#f032e6", "#9a6324"];

function sideColumn(model, send, cols, side, look) {
  const d = model.get(side) || {};
  const col = el("div", "nl-col nl-col-" + side);
  const pick = el("select", "nl-doc-pick");
  for (const o of model.get("options") || []) {
    const opt = el("option", null, o.label);
    opt.value = o.id;
    if (o.id === d.id) opt.selected = true;
    pick.appendChild(opt);
  }
  pick.addEventListener("change", () => send({ action: "pick", side, doc: pick.value }));
  col.append(pick, el("div", "nl-head", (d.source || "") + " — " + (d.title || d.id || "")));
  const box = el("div", "nl-text");
  const text = d.text || "";
  renderText(box, text, d.spans || [], { ...look, maps: offsetMaps(text), chips: false });
  // a click on a linked claim scrolls the other column to the same cluster
  box.addEventListener("click", (ev) => {
    const seg = ev.target.closest(".nl-linked");
    if (!seg || seg.dataset.cluster === undefined) return;
    const other = side === "left" ? "right" : "left";
    const target = cols.querySelector(`.nl-col-${other} .nl-seg[data-cluster="${seg.dataset.cluster}"]`);
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    target.classList.add("nl-flash");
    setTimeout(() => target.classList.remove("nl-flash"), 900);
  });
  col.appendChild(box);
  return col;
}

/** Two documents next to each other (read only); returns its cleanup. */
export function renderSide(model, host) {
  const root = makeRoot(host, "side");
  const offs = [];
  const send = sender(model, root);
  const cols = el("div", "nl-cols");
  root.appendChild(cols);
  const draw = guard(root, () => {
    cols.replaceChildren();
    const clusters = model.get("clusters") || {};
    const linkColor = {};
    for (const [id, c] of Object.entries(clusters)) linkColor[id] = CLUSTER_COLORS[c % CLUSTER_COLORS.length];
    const shared = new Set(model.get("shared") || []);
    const look = { colors: labelColors(model.get("labels")), linkColor, cluster: clusters, shared };
    for (const side of ["left", "right"]) cols.appendChild(sideColumn(model, send, cols, side, look));
    const legend = el("div", "nl-muted nl-legend",
      `${Object.keys(clusters).length ? "Linked claims share a colour" : "No linked claims between these documents"}` +
      ` · ${shared.size ? "entities mentioned in both are outlined" : "no shared entities"}`);
    legend.prepend(button("↻ refresh", "nl-small nl-refresh", () => send({ action: "refresh" }), "re-read annotations"));
    cols.appendChild(legend);
  });
  listen(model, ["left", "right", "clusters", "shared", "labels", "options"], draw, offs);
  draw();
  return () => offs.forEach((f) => f());
}
