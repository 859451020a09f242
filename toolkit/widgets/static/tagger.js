// The span tagger: article text with spans, label keys, suggestions, claim details, speaker picking.
//
// Every part is drawn by its own function from a shared view object `v`
// ({model, root, parts..., send, picking, maps}); renderTagger wires them to the traits.
import {
  el, button, makeRoot, sender, listen, guard, isTyping, alpha, safeColor, labelColors, offsetMaps,
  spansAt, stepSpan, batcher, errorText, CONFIDENCE_KEYS, SCORE_STEP, parseScore, stepScore, formatScore,
  nextGroup, bulkQuestion, TAGGER_SHORTCUTS,
} from "./helpers.js";
import { renderText, u16At } from "./textview.js";

const spanById = (v, id) => (v.model.get("spans") || []).find((s) => s.id === id);

// ---------------------------------------------------------------- header and toolbar
function drawHead(v) {
  const d = v.model.get("doc") || {};
  v.head.replaceChildren();
  if (!d.id) {
    v.head.appendChild(el("span", "nl-muted", "No document"));
    return;
  }
  v.head.append(el("span", "nl-source", d.source || ""), el("span", "nl-title", d.title || d.id),
    el("span", "nl-muted", d.published ? " · " + d.published : ""), el("span", "nl-docid", d.id));
}

function labelButton(v, l) {
  const b = button("", "nl-label nl-layer-" + l.layer, () => tag(v, l.name),
    (l.description || l.name) + (l.key ? ` (key ${l.key})` : ""));
  b.style.borderColor = safeColor(l.color);
  b.style.background = alpha(l.color, 0.18);
  if (l.key) b.appendChild(el("kbd", "nl-key", l.key));
  b.appendChild(document.createTextNode(l.name));
  b.dataset.label = l.name;
  return b;
}

function drawToolbar(v) {
  const { model, send } = v;
  v.toolbar.replaceChildren();
  // one row per label group (claims, entities), each with its heading: no ragged wrapping
  for (const [layer, title] of [["claim", "Claims"], ["entity", "Entities"]]) {
    const labels = (model.get("labels") || []).filter((l) => l.layer === layer);
    if (!labels.length) continue;
    const row = el("div", "nl-label-row");
    row.dataset.layer = layer;
    row.appendChild(el("span", "nl-group-title", title));
    for (const l of labels) row.appendChild(labelButton(v, l));
    v.toolbar.appendChild(row);
  }
  const tools = el("div", "nl-label-row nl-tools");
  const hint = (model.get("selection") || []).length === 2 ? "press a label key to tag the selection" :
    "select text with the mouse, then press a label key";
  tools.appendChild(el("span", "nl-muted nl-hint", hint));
  const help = button("? keys", "nl-small nl-help-btn" + (v.showHelp ? " nl-active" : ""), () => toggleHelp(v),
    `keyboard shortcuts (key ${CONFIDENCE_KEYS.help})`);
  tools.appendChild(help);
  const undo = button("↶ Undo", "nl-undo", () => send({ action: "undo" }), "Ctrl+Z");
  undo.disabled = !model.get("can_undo");
  const redo = button("↷ Redo", "nl-redo", () => send({ action: "redo" }), "Ctrl+Shift+Z");
  redo.disabled = !model.get("can_redo");
  tools.append(undo, redo);
  v.toolbar.appendChild(tools);
}

// ---------------------------------------------------------------- suggestion bar
function groupToggle(v, total, group) {
  const toggle = el("span", "nl-sugg-toggle");
  toggle.appendChild(el("span", "nl-muted", "Suggestions:"));
  for (const [g, title] of [["entity", "Entities"], ["claim", "Claims"], ["off", "Hide"]]) {
    const n = g === "off" ? "" : ` ${total[g] || 0}`;
    const b = button(title + n, "nl-small nl-sugg-pick" + (g === group ? " nl-active" : ""),
      () => v.send({ action: "sugg_group", group: g }), g === "off" ? "hide all suggestions" : `show ${g} suggestions`);
    b.dataset.group = g;
    toggle.appendChild(b);
  }
  return toggle;
}

function labelBulk(v, lab, n) {
  const g = el("span", "nl-sugg-group");
  g.dataset.label = lab;
  g.append(el("span", "nl-sugg-label", `${lab} ${n}`),
    button("✓ all", "nl-small nl-accept-all", () => v.send({ action: "accept_all", label: lab }),
      `accept the ${n} ${lab} suggestions in this article (one undo step)`),
    button("✗ all", "nl-small nl-reject-all", () => v.send({ action: "reject_all", label: lab }),
      `reject the ${n} ${lab} suggestions in this article`));
  return g;
}

// the score filter: a slider and a number box (sent on release / Enter; Python validates and stores it)
function scoreControl(v) {
  const box = el("span", "nl-score-filter");
  const cur = Number(v.model.get("min_score")) || 0;
  const range = el("input", "nl-score-range");
  range.type = "range"; range.min = "0"; range.max = "1"; range.step = String(SCORE_STEP);
  range.value = String(cur);
  range.title = `lowest score shown (keys ${CONFIDENCE_KEYS.lowerScore} / ${CONFIDENCE_KEYS.raiseScore}); ` +
    "suggestions without a score are shown only at 0";
  const num = el("input", "nl-score-input");
  num.type = "number"; num.min = "0"; num.max = "1"; num.step = "0.01";
  num.value = cur.toFixed(2);
  const sendScore = (raw) => {
    const x = parseScore(raw);
    if (x === null) { num.value = cur.toFixed(2); return; }
    if (x !== cur) v.send({ action: "min_score", value: x });
  };
  range.addEventListener("input", () => { num.value = Number(range.value).toFixed(2); });
  range.addEventListener("change", () => sendScore(range.value));
  num.addEventListener("change", () => sendScore(num.value));
  num.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); sendScore(num.value); } });
  box.append(el("span", "nl-muted", "score ≥"), range, num);
  const hidden = v.model.get("sugg_hidden") || 0;
  if (hidden) box.appendChild(el("span", "nl-muted nl-sugg-hidden", `${hidden} below hidden`));
  return box;
}

// "Accept all ≥ score" with its scope: Python counts first, the confirmation row asks (drawConfirm)
function bulkControl(v) {
  const box = el("span", "nl-bulk");
  const score = Number(v.model.get("min_score")) || 0;
  const scope = el("select", "nl-bulk-scope");
  for (const [value, title] of [["document", "this document"], ["all", "all documents"]]) {
    const o = el("option", null, title);
    o.value = value;
    if (value === v.bulkScope) o.selected = true;
    scope.appendChild(o);
  }
  scope.addEventListener("change", () => { v.bulkScope = scope.value; });
  const go = button(`✓ all ≥ ${formatScore(score)}`, "nl-small nl-accept-above", () => askBulk(v, v.bulkScope),
    `accept every shown suggestion with score ≥ ${formatScore(score)} in the chosen scope; ` +
    `asks first (keys ${CONFIDENCE_KEYS.acceptHere} / Shift+${CONFIDENCE_KEYS.acceptAll})`);
  box.append(go, scope);
  return box;
}

function drawSuggBar(v) {
  v.suggBar.replaceChildren();
  const total = v.model.get("sugg_counts") || {};
  if (!v.model.get("has_models") && !Object.values(total).some((n) => n > 0)) return;
  // which suggestions are drawn: one label group at a time, or none; then the score filter
  const group = v.model.get("sugg_group") || "entity";
  v.suggBar.appendChild(groupToggle(v, total, group));
  if (group !== "off") v.suggBar.append(scoreControl(v), bulkControl(v));
  v.suggBar.appendChild(button("Next most uncertain ⇢", "nl-small nl-next-uncertain",
    () => v.send({ action: "next_uncertain" }),
    `the document whose shown suggestions the model is least sure of (key ${CONFIDENCE_KEYS.nextUncertain})`));
  const counts = {};
  for (const s of v.model.get("spans") || []) if (s.suggestion) counts[s.label] = (counts[s.label] || 0) + 1;
  const labels = Object.keys(counts).sort();
  const row = el("div", "nl-sugg-labels");
  for (const lab of labels) row.appendChild(labelBulk(v, lab, counts[lab]));
  if (labels.length) row.appendChild(el("span", "nl-muted nl-scope", "✓ all / ✗ all: this article only"));
  if (labels.length) v.suggBar.appendChild(row);
}

function askBulk(v, scope) {
  if ((v.model.get("sugg_group") || "entity") === "off") return;
  v.send({ action: "count_above", score: Number(v.model.get("min_score")) || 0, scope });
}

// the inline confirmation of a pending "accept all ≥ score" (Python set `bulk` after counting)
function drawConfirm(v) {
  v.confirm.replaceChildren();
  const bulk = v.model.get("bulk") || {};
  if (!bulk.count) return;
  const yes = button(`Accept ${bulk.count} (Enter)`, "nl-small nl-confirm-yes", () => confirmBulk(v));
  const no = button("Cancel (Esc)", "nl-small nl-confirm-no", () => v.send({ action: "cancel_bulk" }));
  v.confirm.append(el("span", "nl-confirm-q", bulkQuestion(bulk)), yes, no);
  v.root.focus({ preventScroll: true }); // Enter / Escape answer it
}

function confirmBulk(v) {
  const bulk = v.model.get("bulk") || {};
  if (!bulk.count) return;
  v.send({ action: "accept_above", score: bulk.score, scope: bulk.scope, group: bulk.group, expect: bulk.count });
}

// ---------------------------------------------------------------- keyboard help
function toggleHelp(v) {
  v.showHelp = !v.showHelp;
  drawHelp(v); drawToolbar(v);
}

function drawHelp(v) {
  v.help.replaceChildren();
  if (!v.showHelp) return;
  const labels = (v.model.get("labels") || []).filter((l) => l.key).map((l) => `${l.key} ${l.name}`).join(", ");
  const rows = [["label keys", labels || "(none)"], ...TAGGER_SHORTCUTS];
  const table = el("table", "nl-help-table");
  for (const [keys, what] of rows) {
    const tr = el("tr");
    tr.append(el("td", "nl-help-keys", keys), el("td", null, what));
    table.appendChild(tr);
  }
  v.help.append(el("div", "nl-strong", "Keys (click the text first)"), table);
}

// ---------------------------------------------------------------- detail of the selected span
function drawDetail(v) {
  v.detail.replaceChildren();
  const sp = spanById(v, v.model.get("selected"));
  if (!sp) return;
  const labels = v.model.get("labels") || [];
  const lab = labels.find((l) => l.name === sp.label);
  const chip = el("span", "nl-chip", sp.label);
  chip.style.borderColor = safeColor(lab ? lab.color : null);
  v.detail.append(chip, el("span", "nl-quote", "“" + (sp.text || "") + "”"));
  if (sp.suggestion) {
    v.detail.append(el("span", "nl-muted", " suggested by " + (sp.annotator || "model")),
      el("span", "nl-sugg-score", formatScore(sp.score)),
      button("Accept ⏎", "nl-accept", () => v.send({ action: "accept", id: sp.id })),
      button("Reject x", "nl-reject", () => v.send({ action: "reject", id: sp.id })));
    return;
  }
  v.detail.appendChild(relabelSelect(v, sp, labels));
  if (sp.layer === "claim") claimEditor(v, sp);
  v.detail.appendChild(button("Delete ⌫", "nl-delete", () => v.send({ action: "delete", id: sp.id })));
}

function relabelSelect(v, sp, labels) {
  const relabel = el("select", "nl-relabel");
  for (const l of labels) {
    const o = el("option", null, l.name);
    o.value = l.name;
    if (l.name === sp.label) o.selected = true;
    relabel.appendChild(o);
  }
  relabel.addEventListener("change", () => v.send({ action: "relabel", id: sp.id, label: relabel.value }));
  return relabel;
}

// kind, speaker text, "pick speaker" and the linked speaker span of a claim
function claimEditor(v, sp) {
  const kind = el("select", "nl-kind");
  kind.appendChild(el("option", null, "(kind)")).value = "";
  for (const k of v.model.get("claim_kinds") || []) {
    const o = el("option", null, k);
    o.value = k;
    if (k === sp.kind) o.selected = true;
    kind.appendChild(o);
  }
  const speaker = el("input", "nl-speaker");
  speaker.placeholder = "speaker";
  speaker.value = sp.speaker || "";
  const saveAttrs = () => v.send({ action: "attrs", id: sp.id, kind: kind.value || null, speaker: speaker.value });
  kind.addEventListener("change", saveAttrs);
  speaker.addEventListener("change", saveAttrs);
  speaker.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { saveAttrs(); v.root.focus(); } });
  v.detail.append(el("span", "nl-muted", "kind"), kind, el("span", "nl-muted", "speaker"), speaker);
  const pick = button(v.picking === sp.id ? "picking… (Esc)" : "pick speaker", "nl-pick-speaker",
    () => (v.picking === sp.id ? stopPicking(v) : startPicking(v, sp.id)),
    "click an entity span to make it this claim's speaker (key s)");
  pick.appendChild(el("kbd", "nl-key", "s"));
  v.detail.appendChild(pick);
  if (!sp.speaker_span) return;
  const ent = spanById(v, sp.speaker_span);
  const linked = el("span", "nl-speaker-link");
  linked.dataset.span = sp.speaker_span;
  linked.textContent = ent ? `speaker: ${ent.text} ↔ ${ent.label} span` : "speaker: ↔ (span not on this page)";
  linked.appendChild(button("unlink", "nl-small nl-unspeaker", () => v.send({ action: "unspeaker", id: sp.id }),
    "remove the link to the entity span (the speaker text stays)"));
  v.detail.appendChild(linked);
}

// ---------------------------------------------------------------- text and status
function drawText(v) {
  const { model, root } = v;
  const text = model.get("text") || "";
  if (text !== v.lastText) { v.maps = offsetMaps(text); v.lastText = text; }
  const spans = model.get("spans") || [];
  const ms = renderText(v.textBox, text, spans, {
    maps: v.maps, colors: labelColors(model.get("labels")), selected: model.get("selected"),
    pending: model.get("selection"), chips: true,
  });
  const t1 = performance.now();
  void v.textBox.offsetHeight; // layout now, so the figure includes it (the browser would do it before paint)
  // the last render, for benchmarks and debugging: read from the DOM, no globals
  root.dataset.renderMs = (ms + (performance.now() - t1)).toFixed(2);
  root.dataset.renderDomMs = ms.toFixed(2);
  root.dataset.nSpans = String(spans.length);
  root.dataset.nChars = String(text.length);
  root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
}

function drawStatus(v) {
  const st = v.model.get("status") || "";
  v.status.textContent = st;
  v.status.classList.toggle("nl-error", /^error/i.test(st));
  v.root.classList.toggle("nl-disabled", !v.model.get("annotator"));
}

// ---------------------------------------------------------------- speaker pick mode
function drawPick(v) {
  const claim = v.picking ? spanById(v, v.picking) : null;
  if (v.picking && (!claim || claim.layer !== "claim" || claim.suggestion)) v.picking = "";
  v.root.classList.toggle("nl-picking", !!v.picking);
  v.pickBar.replaceChildren();
  if (!v.picking) return;
  v.pickBar.append(el("span", "nl-strong", "Pick the speaker: "),
    el("span", null, "click an entity span in the text for “" + (claim.text || "").slice(0, 60) + "”"),
    button("cancel (Esc)", "nl-small nl-pick-cancel", () => stopPicking(v)));
}

function startPicking(v, id) {
  const sp = spanById(v, id);
  if (!sp || sp.layer !== "claim" || sp.suggestion) return;
  v.picking = id;
  drawPick(v); drawDetail(v);
  v.root.focus({ preventScroll: true });
}

function stopPicking(v) {
  if (!v.picking) return;
  v.picking = "";
  drawPick(v); drawDetail(v);
}

const isEntity = (s) => s.layer === "entity" && !s.suggestion;

// in picking mode a click on the text chooses the innermost entity (not suggestion) under it
function pickAt(v, t) {
  let ent = null;
  if (t.dataset && t.dataset.id) ent = spanById(v, t.dataset.id);
  else {
    const seg = t.closest ? t.closest(".nl-seg") : null;
    if (seg) ent = spansAt(v.model.get("spans"), v.maps.toCp(Number(seg.dataset.s)), isEntity)[0] || null;
  }
  if (!ent || !isEntity(ent)) {
    v.status.textContent = "Not an entity span: click a tagged entity (accept a suggestion first), or Esc to cancel";
    return;
  }
  const claim = v.picking;
  v.picking = "";
  v.send({ action: "speaker", id: claim, entity: ent.id });
  drawPick(v); drawDetail(v);
}

// ---------------------------------------------------------------- actions
function tag(v, label) {
  const sel = v.model.get("selection") || [];
  if (sel.length === 2) v.send({ action: "add", start: sel[0], end: sel[1], label });
  else if (v.model.get("selected")) {
    const sp = spanById(v, v.model.get("selected"));
    if (sp && !sp.suggestion) v.send({ action: "relabel", id: sp.id, label });
  }
}

function selectSpan(v, id) {
  v.model.set("selected", id || "");
  v.model.set("selection", []);
  v.model.save_changes();
}

// ---------------------------------------------------------------- mouse
// a drag selects text, a click selects a span (cycling through nested ones)
function onMouseUp(v, ev) {
  const sel = window.getSelection();
  if (v.picking) {
    if (sel && !sel.isCollapsed) { sel.removeAllRanges(); return; }
    pickAt(v, ev.target);
  } else if (sel && sel.rangeCount && !sel.isCollapsed) {
    if (!selectRange(v, sel)) return;
  } else {
    clickSpan(v, ev.target);
  }
  v.root.focus({ preventScroll: true });
}

// the mouse selection -> the pending selection (code points; Python snaps it to words)
function selectRange(v, sel) {
  const r = sel.getRangeAt(0);
  if (!v.textBox.contains(r.startContainer) || !v.textBox.contains(r.endContainer)) return false;
  const a = u16At(v.textBox, r.startContainer, r.startOffset);
  const b = u16At(v.textBox, r.endContainer, r.endOffset);
  sel.removeAllRanges();
  if (a === null || b === null) return false;
  v.model.set("selected", "");
  v.model.set("selection", [v.maps.toCp(Math.min(a, b)), v.maps.toCp(Math.max(a, b))]);
  v.model.save_changes();
  return true;
}

function clickSpan(v, t) {
  if (t.dataset && t.dataset.id) { selectSpan(v, t.dataset.id); return; }
  const seg = t.closest ? t.closest(".nl-seg") : null;
  if (!seg) return;
  const covering = spansAt(v.model.get("spans"), v.maps.toCp(Number(seg.dataset.s)));
  if (!covering.length) { selectSpan(v, ""); return; }
  const cur = covering.findIndex((s) => s.id === v.model.get("selected"));
  selectSpan(v, covering[(cur + 1) % covering.length].id);
}

// ---------------------------------------------------------------- keys
function onUndoKeys(v, ev) {
  const key = ev.key;
  if (key === "z" || key === "Z") { ev.preventDefault(); v.send({ action: ev.shiftKey ? "redo" : "undo" }); }
  if (key === "y" || key === "Y") { ev.preventDefault(); v.send({ action: "redo" }); }
}

function onSpanKey(v, ev, sel) {
  const key = ev.key;
  if (key === "Escape") { if (v.picking) stopPicking(v); else selectSpan(v, ""); return true; }
  if (key === "s" && !ev.shiftKey) {
    if (sel && sel.layer === "claim" && !sel.suggestion) { ev.preventDefault(); startPicking(v, sel.id); }
    return true;
  }
  if (key === "Delete" || key === "Backspace") {
    ev.preventDefault();
    if (sel) v.send({ action: sel.suggestion ? "reject" : "delete", id: sel.id });
    return true;
  }
  if (key === "Enter") {
    ev.preventDefault();
    if (sel && sel.suggestion) v.send({ action: "accept", id: sel.id });
    return true;
  }
  if (key === "x" && sel && sel.suggestion) { v.send({ action: "reject", id: sel.id }); return true; }
  return false;
}

function onArrowKey(v, ev) {
  ev.preventDefault();
  const id = stepSpan(v.model.get("spans"), v.model.get("selected"), ev.key === "ArrowRight" ? 1 : -1);
  if (!id) return;
  selectSpan(v, id);
  const chip = v.textBox.querySelector(`.nl-chip[data-id="${CSS.escape(id)}"]`);
  if (chip) chip.scrollIntoView({ block: "nearest" });
}

// a pending confirmation takes Enter (accept) and Escape (cancel) before anything else
function onConfirmKey(v, ev) {
  if (!(v.model.get("bulk") || {}).count) return false;
  if (ev.key === "Enter") { ev.preventDefault(); confirmBulk(v); return true; }
  if (ev.key === "Escape") { ev.preventDefault(); v.send({ action: "cancel_bulk" }); return true; }
  return false;
}

function onConfidenceKey(v, ev) {
  const k = CONFIDENCE_KEYS;
  const score = Number(v.model.get("min_score")) || 0;
  switch (ev.key) {
    case k.lowerScore: case k.raiseScore: {
      const x = stepScore(score, ev.key === k.raiseScore ? 1 : -1);
      if (x !== score) v.send({ action: "min_score", value: x });
      return true;
    }
    case k.nextGroup: v.send({ action: "sugg_group", group: nextGroup(v.model.get("sugg_group") || "entity") }); return true;
    case k.acceptHere: askBulk(v, "document"); return true;
    case k.acceptAll: askBulk(v, "all"); return true;
    case k.nextUncertain: v.send({ action: "next_uncertain" }); return true;
    case k.help: toggleHelp(v); return true;
    default: return false;
  }
}

function onKeyDown(v, ev) {
  if (isTyping(ev)) { if (ev.key === "Escape") v.root.focus(); return; }
  if (ev.ctrlKey || ev.metaKey) { onUndoKeys(v, ev); return; }
  if (ev.altKey) return;
  if (onConfirmKey(v, ev)) return;
  if (onSpanKey(v, ev, spanById(v, v.model.get("selected")))) return;
  if (onConfidenceKey(v, ev)) { ev.preventDefault(); return; }
  if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") { onArrowKey(v, ev); return; }
  const lab = (v.model.get("labels") || []).find((l) => l.key === ev.key);
  if (lab) { ev.preventDefault(); tag(v, lab.name); }
}

// ---------------------------------------------------------------- the view
function drawAll(v) {
  for (const f of [drawHead, drawToolbar, drawHelp, drawSuggBar, drawConfirm, drawDetail, drawPick, drawText,
    drawStatus]) f(v);
}

/** The tagger view; returns its cleanup (removes every model listener). */
export function renderTagger(model, host) {
  const root = makeRoot(host, "tagger");
  const names = ["head", "toolbar", "help", "suggbar", "confirm", "detail", "pickbar", "text", "status"];
  const [head, toolbar, help, suggBar, confirm, detail, pickBar, textBox, status] =
    names.map((n) => el("div", "nl-" + n));
  root.append(head, toolbar, help, suggBar, confirm, detail, pickBar, textBox, status);
  const v = { model, root, head, toolbar, help, suggBar, confirm, detail, pickBar, textBox, status,
    send: sender(model, root), picking: "", maps: offsetMaps(model.get("text") || ""), lastText: null,
    bulkScope: "document", showHelp: false };
  const safe = (fn) => guard(status, fn);
  textBox.addEventListener("mouseup", safe((ev) => onMouseUp(v, ev)));
  root.addEventListener("keydown", safe((ev) => onKeyDown(v, ev)));
  const offs = [];
  // a part that fails shows the error in the status line; the error is re-thrown after the batch
  const later = batcher((err) => {
    status.textContent = errorText(err);
    status.classList.add("nl-error");
    setTimeout(() => { throw err; });
  });
  const part = (fn) => later(() => fn(v));
  listen(model, ["doc"], part(drawHead), offs);
  listen(model, ["labels", "selection", "can_undo", "can_redo"], part(drawToolbar), offs);
  listen(model, ["spans", "sugg_group", "sugg_counts", "min_score", "sugg_hidden", "has_models"], part(drawSuggBar),
    offs);
  listen(model, ["bulk"], part(drawConfirm), offs);
  listen(model, ["labels"], part(drawHelp), offs);
  listen(model, ["spans", "selected", "labels", "claim_kinds"], part(drawDetail), offs);
  listen(model, ["text", "spans", "selected", "selection", "labels"], part(drawText), offs);
  // another document or another selected span ends picking
  listen(model, ["selected", "doc"], () => { if (v.picking && model.get("selected") !== v.picking) v.picking = ""; },
    offs);
  listen(model, ["spans", "selected", "doc"], part(drawPick), offs);
  listen(model, ["status", "annotator"], part(drawStatus), offs);
  safe(drawAll)(v);
  return () => offs.forEach((f) => f());
}
