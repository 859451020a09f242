// Front end of the toolkit's annotation widgets (anywidget ESM).
//
// One module serves every view; the Python class sets the synced `view` trait
// ("tagger", "nav", "stances", "links", "side").  Rules followed everywhere:
//  * article text and labels are inserted as text nodes / textContent only;
//  * offsets exchanged with Python are Unicode code points (JS strings index
//    UTF-16 units, so every offset is converted on the way in and out);
//  * the widget never changes annotation state itself: it sends a message,
//    Python writes to the store and then updates the synced traits, and only
//    then does the view redraw;
//  * keydown events stop at the widget root and the root carries
//    data-lm-suppress-shortcuts, so JupyterLab's command-mode keys never fire.

// ---------------------------------------------------------------- helpers
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function button(label, cls, onClick, title) {
  const b = el("button", "nl-btn " + (cls || ""), label);
  b.type = "button";
  if (title) b.title = title;
  b.addEventListener("click", (ev) => {
    ev.preventDefault();
    onClick(ev);
  });
  return b;
}

function makeRoot(elHost, kind) {
  const root = el("div", "nl-root nl-" + kind);
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  // Keys typed inside the widget are ours: JupyterLab must not see them.
  root.addEventListener("keydown", (ev) => ev.stopPropagation());
  root.addEventListener("keyup", (ev) => ev.stopPropagation());
  root.addEventListener("keypress", (ev) => ev.stopPropagation());
  elHost.appendChild(root);
  return root;
}

// model.send, also noting the action in window.__nlSent (last 50; used by tests and for debugging)
function sender(model) {
  return (msg) => {
    const log = (window.__nlSent = window.__nlSent || []);
    log.push({ view: model.get("view"), action: msg.action, t: Date.now() });
    if (log.length > 50) log.shift();
    model.send(msg);
  };
}

function isTyping(ev) {
  const t = ev.target;
  return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
}

function alpha(hex, a) {
  let h = String(hex || "#888888").replace("#", "");
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  const n = parseInt(h.slice(0, 6), 16);
  if (Number.isNaN(n)) return `rgba(136,136,136,${a})`;
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

function safeColor(hex) {
  return /^#[0-9a-fA-F]{3,8}$/.test(String(hex || "")) ? hex : "#888888";
}

// Code point <-> UTF-16 maps for one text.  Identity when the text has no
// characters outside the BMP (the common case, no arrays allocated).
function offsetMaps(text) {
  let astral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { astral = true; break; }
  }
  if (!astral) {
    return { toU16: (cp) => cp, toCp: (u) => u, nCp: text.length };
  }
  const cpToU = [];
  const uToCp = new Int32Array(text.length + 1);
  let cp = 0;
  for (let u = 0; u < text.length; cp++) {
    cpToU.push(u);
    const c = text.charCodeAt(u);
    const w = c >= 0xd800 && c <= 0xdbff && u + 1 < text.length ? 2 : 1;
    uToCp[u] = cp;
    if (w === 2) uToCp[u + 1] = cp; // inside a pair: round down
    u += w;
  }
  cpToU.push(text.length);
  uToCp[text.length] = cp;
  return {
    toU16: (c) => cpToU[Math.max(0, Math.min(c, cpToU.length - 1))],
    toCp: (u) => uToCp[Math.max(0, Math.min(u, text.length))],
    nCp: cp,
  };
}

// Assign each span a track (0, 1, ...) so overlapping spans get separate underlines.
function assignTracks(spans) {
  const order = spans.map((s, i) => i).sort((i, j) =>
    spans[i].s - spans[j].s || spans[j].e - spans[i].e);
  const trackEnds = [];
  const tracks = new Array(spans.length);
  for (const i of order) {
    let t = 0;
    while (t < trackEnds.length && trackEnds[t] > spans[i].s) t++;
    trackEnds[t] = spans[i].e;
    tracks[i] = t;
  }
  return tracks;
}

// Render `text` with `spans` into `box` as text segments between every span
// boundary.  spans: [{id, start, end, label, layer, suggestion}] in code points.
// opts: {maps, colors: {label: hex}, selected, pending: [s, e] (cp),
//        linkColor: {spanId: hex}, shared: Set(spanId), chips: bool}
// Returns the time taken in ms.
function renderText(box, text, spans, opts) {
  const t0 = performance.now();
  const maps = opts.maps;
  const colors = opts.colors || {};
  const linkColor = opts.linkColor || {};
  const shared = opts.shared || new Set();
  const items = [];
  for (const sp of spans) {
    const s = maps.toU16(sp.start), e = maps.toU16(sp.end);
    if (!(s < e) || e > text.length) continue;
    items.push({ sp, s, e });
  }
  const tracks = assignTracks(items);
  items.forEach((it, i) => { it.track = tracks[i]; });
  const bounds = new Set([0, text.length]);
  for (const it of items) { bounds.add(it.s); bounds.add(it.e); }
  let pending = null;
  if (opts.pending && opts.pending.length === 2) {
    pending = [maps.toU16(opts.pending[0]), maps.toU16(opts.pending[1])];
    bounds.add(pending[0]); bounds.add(pending[1]);
  }
  const points = Array.from(bounds).sort((a, b) => a - b);
  const byStart = items.slice().sort((a, b) => a.s - b.s || b.e - a.e);
  const endsAt = new Map();
  for (const it of items) {
    if (!endsAt.has(it.e)) endsAt.set(it.e, []);
    endsAt.get(it.e).push(it);
  }
  const frag = document.createDocumentFragment();
  let active = [];
  let k = 0;
  for (let p = 0; p < points.length - 1; p++) {
    const a = points[p], b = points[p + 1];
    active = active.filter((it) => it.e > a);
    while (k < byStart.length && byStart[k].s <= a) {
      if (byStart[k].e > a) active.push(byStart[k]);
      k++;
    }
    const seg = el("span", "nl-seg");
    seg.dataset.s = String(a);
    seg.dataset.e = String(b);
    seg.appendChild(document.createTextNode(text.slice(a, b)));
    const layers = [];
    let maxTrack = -1;
    let isSel = false;
    const titles = [];
    for (const it of active) {
      const sp = it.sp;
      const c = safeColor(linkColor[sp.id] || colors[sp.label]);
      const y = `calc(100% - ${it.track * 4}px)`;
      if (sp.suggestion) {
        layers.push(`repeating-linear-gradient(90deg, ${c} 0 4px, transparent 4px 7px) 0 ${y} / 100% 2px no-repeat`);
      } else {
        layers.push(`linear-gradient(${c}, ${c}) 0 ${y} / 100% 2px no-repeat`);
      }
      maxTrack = Math.max(maxTrack, it.track);
      if (sp.id === opts.selected) isSel = true;
      if (shared.has(sp.id)) seg.classList.add("nl-shared");
      if (linkColor[sp.id]) {
        seg.classList.add("nl-linked");
        if (opts.cluster && opts.cluster[sp.id] !== undefined) seg.dataset.cluster = String(opts.cluster[sp.id]);
      }
      titles.push(sp.suggestion ? sp.label + " (suggestion)" : sp.label);
    }
    // claim bands under entity underlines (claims are long, entities short)
    for (const it of active) {
      if (it.sp.layer === "claim" || linkColor[it.sp.id]) {
        const c = safeColor(linkColor[it.sp.id] || colors[it.sp.label]);
        layers.push(`linear-gradient(${alpha(c, it.sp.suggestion ? 0.08 : 0.16)}, ${alpha(c, it.sp.suggestion ? 0.08 : 0.16)})`);
      }
    }
    if (pending && a >= pending[0] && b <= pending[1]) {
      seg.classList.add("nl-pending");
      layers.unshift("linear-gradient(rgba(33,150,243,0.30), rgba(33,150,243,0.30))");
    }
    if (layers.length) {
      seg.style.background = layers.join(", ");
      seg.style.paddingBottom = `${(maxTrack + 1) * 4}px`;
      seg.classList.add("nl-covered");
      seg.title = titles.join(" · ");
    }
    if (isSel) seg.classList.add("nl-sel");
    frag.appendChild(seg);
    const ending = endsAt.get(b);
    if (opts.chips && ending) {
      ending.sort((x, y) => y.s - x.s);
      for (const it of ending) {
        const chip = el("span", "nl-chip" + (it.sp.suggestion ? " nl-chip-sugg" : ""), it.sp.label);
        chip.dataset.id = it.sp.id;
        chip.dataset.at = String(b);
        chip.contentEditable = "false";
        const c = safeColor(linkColor[it.sp.id] || colors[it.sp.label]);
        chip.style.borderColor = c;
        chip.style.background = alpha(c, 0.22);
        if (it.sp.id === opts.selected) chip.classList.add("nl-chip-sel");
        frag.appendChild(chip);
      }
    }
  }
  box.replaceChildren(frag);
  return performance.now() - t0;
}

// DOM position (node, offset) inside a rendered text box -> UTF-16 offset.
function u16At(box, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const parent = node.parentElement;
    if (parent && parent.dataset.s !== undefined) return Number(parent.dataset.s) + offset;
    if (parent && parent.dataset.at !== undefined) return Number(parent.dataset.at);
    return null;
  }
  if (node === box) {
    const kids = box.childNodes;
    if (offset >= kids.length) return kids.length ? u16After(kids[kids.length - 1]) : 0;
    return u16Before(kids[offset]);
  }
  if (node.dataset && node.dataset.s !== undefined) {
    return offset === 0 ? Number(node.dataset.s) : Number(node.dataset.e);
  }
  if (node.dataset && node.dataset.at !== undefined) return Number(node.dataset.at);
  return null;
}
function u16Before(n) {
  if (n.dataset && n.dataset.s !== undefined) return Number(n.dataset.s);
  if (n.dataset && n.dataset.at !== undefined) return Number(n.dataset.at);
  return 0;
}
function u16After(n) {
  if (n.dataset && n.dataset.e !== undefined) return Number(n.dataset.e);
  if (n.dataset && n.dataset.at !== undefined) return Number(n.dataset.at);
  return 0;
}

function labelColors(labels) {
  const colors = {};
  for (const l of labels || []) colors[l.name] = safeColor(l.color);
  return colors;
}

function listen(model, names, fn, offs) {
  for (const n of names) {
    model.on("change:" + n, fn);
    offs.push(() => model.off("change:" + n, fn));
  }
}

// ---------------------------------------------------------------- tagger
function renderTagger(model, host) {
  const root = makeRoot(host, "tagger");
  const head = el("div", "nl-head");
  const toolbar = el("div", "nl-toolbar");
  const suggBar = el("div", "nl-suggbar");
  const detail = el("div", "nl-detail");
  const pickBar = el("div", "nl-pickbar");
  const textBox = el("div", "nl-text");
  const status = el("div", "nl-status");
  root.append(head, toolbar, suggBar, detail, pickBar, textBox, status);
  const offs = [];
  // "pick speaker" mode: id of the claim whose speaker the next entity click sets ("" = off)
  let picking = "";
  let maps = offsetMaps(model.get("text") || "");
  let lastText = null;

  const send = sender(model);
  const spanById = (id) => (model.get("spans") || []).find((s) => s.id === id);

  function drawHead() {
    const d = model.get("doc") || {};
    head.replaceChildren();
    if (!d.id) {
      head.appendChild(el("span", "nl-muted", "No document"));
      return;
    }
    head.append(el("span", "nl-source", d.source || ""), el("span", "nl-title", d.title || d.id),
      el("span", "nl-muted", d.published ? " · " + d.published : ""), el("span", "nl-docid", d.id));
  }

  function drawToolbar() {
    toolbar.replaceChildren();
    const sel = model.get("selection") || [];
    // one row per label group (claims, entities), each with its heading: no ragged wrapping
    const groups = [["claim", "Claims"], ["entity", "Entities"]];
    for (const [layer, title] of groups) {
      const labels = (model.get("labels") || []).filter((l) => l.layer === layer);
      if (!labels.length) continue;
      const row = el("div", "nl-label-row");
      row.dataset.layer = layer;
      row.appendChild(el("span", "nl-group-title", title));
      for (const l of labels) {
        const b = button("", "nl-label nl-layer-" + l.layer, () => tag(l.name),
          (l.description || l.name) + (l.key ? ` (key ${l.key})` : ""));
        b.style.borderColor = safeColor(l.color);
        b.style.background = alpha(l.color, 0.18);
        if (l.key) b.appendChild(el("kbd", "nl-key", l.key));
        b.appendChild(document.createTextNode(l.name));
        b.dataset.label = l.name;
        row.appendChild(b);
      }
      toolbar.appendChild(row);
    }
    const tools = el("div", "nl-label-row nl-tools");
    const hint = sel.length === 2 ? "press a label key to tag the selection" :
      "select text with the mouse, then press a label key";
    tools.appendChild(el("span", "nl-muted nl-hint", hint));
    const undo = button("↶ Undo", "nl-undo", () => send({ action: "undo" }), "Ctrl+Z");
    undo.disabled = !model.get("can_undo");
    const redo = button("↷ Redo", "nl-redo", () => send({ action: "redo" }), "Ctrl+Shift+Z");
    redo.disabled = !model.get("can_redo");
    tools.append(undo, redo);
    toolbar.appendChild(tools);
  }

  function drawSuggBar() {
    suggBar.replaceChildren();
    const total = model.get("sugg_counts") || {};
    const group = model.get("sugg_group") || "entity";
    if (!Object.values(total).some((n) => n > 0)) return;
    // which suggestions are drawn: one label group at a time, or none
    const toggle = el("span", "nl-sugg-toggle");
    toggle.appendChild(el("span", "nl-muted", "Suggestions:"));
    for (const [g, title] of [["entity", "Entities"], ["claim", "Claims"], ["off", "Hide"]]) {
      const n = g === "off" ? "" : ` ${total[g] || 0}`;
      const b = button(title + n, "nl-small nl-sugg-pick" + (g === group ? " nl-active" : ""),
        () => send({ action: "sugg_group", group: g }), g === "off" ? "hide all suggestions" : `show ${g} suggestions`);
      b.dataset.group = g;
      toggle.appendChild(b);
    }
    suggBar.appendChild(toggle);
    const counts = {};
    for (const s of model.get("spans") || []) if (s.suggestion) counts[s.label] = (counts[s.label] || 0) + 1;
    const labels = Object.keys(counts).sort();
    for (const lab of labels) {
      const g = el("span", "nl-sugg-group");
      g.dataset.label = lab;
      g.append(el("span", "nl-sugg-label", `${lab} ${counts[lab]}`),
        button("✓ all", "nl-small nl-accept-all", () => send({ action: "accept_all", label: lab }),
          `accept the ${counts[lab]} ${lab} suggestions in this article (one undo step)`),
        button("✗ all", "nl-small nl-reject-all", () => send({ action: "reject_all", label: lab }),
          `reject the ${counts[lab]} ${lab} suggestions in this article`));
      suggBar.appendChild(g);
    }
    if (labels.length) suggBar.appendChild(el("span", "nl-muted nl-scope", "✓ all / ✗ all: this article only"));
  }

  function drawDetail() {
    detail.replaceChildren();
    const sp = spanById(model.get("selected"));
    if (!sp) return;
    const labels = model.get("labels") || [];
    const lab = labels.find((l) => l.name === sp.label);
    const chip = el("span", "nl-chip", sp.label);
    chip.style.borderColor = safeColor(lab ? lab.color : null);
    detail.append(chip, el("span", "nl-quote", "“" + (sp.text || "") + "”"));
    if (sp.suggestion) {
      detail.append(el("span", "nl-muted", " suggested by " + (sp.annotator || "model")),
        button("Accept ⏎", "nl-accept", () => send({ action: "accept", id: sp.id })),
        button("Reject x", "nl-reject", () => send({ action: "reject", id: sp.id })));
      return;
    }
    const relabel = el("select", "nl-relabel");
    for (const l of labels) {
      const o = el("option", null, l.name);
      o.value = l.name;
      if (l.name === sp.label) o.selected = true;
      relabel.appendChild(o);
    }
    relabel.addEventListener("change", () => send({ action: "relabel", id: sp.id, label: relabel.value }));
    detail.appendChild(relabel);
    if (sp.layer === "claim") {
      const kind = el("select", "nl-kind");
      kind.appendChild(el("option", null, "(kind)")).value = "";
      for (const k of model.get("claim_kinds") || []) {
        const o = el("option", null, k);
        o.value = k;
        if (k === sp.kind) o.selected = true;
        kind.appendChild(o);
      }
      const speaker = el("input", "nl-speaker");
      speaker.placeholder = "speaker";
      speaker.value = sp.speaker || "";
      const saveAttrs = () => send({ action: "attrs", id: sp.id, kind: kind.value || null, speaker: speaker.value });
      kind.addEventListener("change", saveAttrs);
      speaker.addEventListener("change", saveAttrs);
      speaker.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { saveAttrs(); root.focus(); } });
      detail.append(el("span", "nl-muted", "kind"), kind, el("span", "nl-muted", "speaker"), speaker);
      const pick = button(picking === sp.id ? "picking… (Esc)" : "pick speaker", "nl-pick-speaker",
        () => (picking === sp.id ? stopPicking() : startPicking(sp.id)),
        "click an entity span to make it this claim's speaker (key s)");
      pick.appendChild(el("kbd", "nl-key", "s"));
      detail.appendChild(pick);
      if (sp.speaker_span) {
        const ent = spanById(sp.speaker_span);
        const linked = el("span", "nl-speaker-link");
        linked.dataset.span = sp.speaker_span;
        linked.textContent = ent ? `speaker: ${ent.text} ↔ ${ent.label} span` : "speaker: ↔ (span not on this page)";
        linked.appendChild(button("unlink", "nl-small nl-unspeaker", () => send({ action: "unspeaker", id: sp.id }),
          "remove the link to the entity span (the speaker text stays)"));
        detail.appendChild(linked);
      }
    }
    detail.appendChild(button("Delete ⌫", "nl-delete", () => send({ action: "delete", id: sp.id })));
  }

  function drawText() {
    const text = model.get("text") || "";
    if (text !== lastText) { maps = offsetMaps(text); lastText = text; }
    const labels = model.get("labels") || [];
    const ms = renderText(textBox, text, model.get("spans") || [], {
      maps, colors: labelColors(labels), selected: model.get("selected"),
      pending: model.get("selection"), chips: true,
    });
    const t1 = performance.now();
    void textBox.offsetHeight; // layout now, so the figure includes it (the browser would do it before paint)
    const total = ms + (performance.now() - t1);
    root.dataset.renderMs = total.toFixed(2);
    root.dataset.nSpans = String((model.get("spans") || []).length);
    const log = (window.__nlRenderTimes = window.__nlRenderTimes || []);
    log.push({ ms: total, dom: ms, spans: (model.get("spans") || []).length, chars: text.length });
    if (log.length > 200) log.shift();
  }

  function drawStatus() {
    const st = model.get("status") || "";
    status.textContent = st;
    status.classList.toggle("nl-error", /^error/i.test(st));
    root.classList.toggle("nl-disabled", !model.get("annotator"));
  }

  function drawPick() {
    const claim = picking ? spanById(picking) : null;
    if (picking && (!claim || claim.layer !== "claim" || claim.suggestion)) picking = "";
    root.classList.toggle("nl-picking", !!picking);
    pickBar.replaceChildren();
    if (!picking) return;
    pickBar.append(el("span", "nl-strong", "Pick the speaker: "),
      el("span", null, "click an entity span in the text for “" + (claim.text || "").slice(0, 60) + "”"),
      button("cancel (Esc)", "nl-small nl-pick-cancel", () => stopPicking()));
  }

  function startPicking(id) {
    const sp = spanById(id);
    if (!sp || sp.layer !== "claim" || sp.suggestion) return;
    picking = id;
    drawPick(); drawDetail();
    root.focus({ preventScroll: true });
  }

  function stopPicking() {
    if (!picking) return;
    picking = "";
    drawPick(); drawDetail();
  }

  // in picking mode a click on the text chooses the innermost entity (not suggestion) under it
  function pickAt(t) {
    let ent = null;
    if (t.dataset && t.dataset.id) ent = spanById(t.dataset.id);
    else {
      const seg = t.closest ? t.closest(".nl-seg") : null;
      if (seg) {
        const pos = maps.toCp(Number(seg.dataset.s));
        ent = (model.get("spans") || []).filter((s) => s.start <= pos && s.end > pos && s.layer === "entity" && !s.suggestion)
          .sort((x, y) => (x.end - x.start) - (y.end - y.start))[0] || null;
      }
    }
    if (!ent || ent.layer !== "entity" || ent.suggestion) {
      status.textContent = "Not an entity span: click a tagged entity (accept a suggestion first), or Esc to cancel";
      return;
    }
    const claim = picking;
    picking = "";
    send({ action: "speaker", id: claim, entity: ent.id });
    drawPick(); drawDetail();
  }

  function drawAll() { drawHead(); drawToolbar(); drawSuggBar(); drawDetail(); drawPick(); drawText(); drawStatus(); }

  function tag(label) {
    const sel = model.get("selection") || [];
    window.__nlLastKeyTs = Date.now();
    if (sel.length === 2) send({ action: "add", start: sel[0], end: sel[1], label });
    else if (model.get("selected")) {
      const sp = spanById(model.get("selected"));
      if (sp && !sp.suggestion) send({ action: "relabel", id: sp.id, label });
    }
  }

  function selectSpan(id) {
    model.set("selected", id || "");
    model.set("selection", []);
    model.save_changes();
  }

  // mouse: a drag selects text, a click selects a span (cycling through nested ones)
  textBox.addEventListener("mouseup", (ev) => {
    const sel = window.getSelection();
    if (picking) {
      if (sel && !sel.isCollapsed) { sel.removeAllRanges(); return; }
      pickAt(ev.target);
      root.focus({ preventScroll: true });
      return;
    }
    if (sel && sel.rangeCount && !sel.isCollapsed) {
      const r = sel.getRangeAt(0);
      if (!textBox.contains(r.startContainer) || !textBox.contains(r.endContainer)) return;
      const a = u16At(textBox, r.startContainer, r.startOffset);
      const b = u16At(textBox, r.endContainer, r.endOffset);
      sel.removeAllRanges();
      if (a === null || b === null) return;
      model.set("selected", "");
      model.set("selection", [maps.toCp(Math.min(a, b)), maps.toCp(Math.max(a, b))]);
      model.save_changes();
      root.focus({ preventScroll: true });
      return;
    }
    const t = ev.target;
    if (t.dataset && t.dataset.id) { selectSpan(t.dataset.id); root.focus({ preventScroll: true }); return; }
    const seg = t.closest ? t.closest(".nl-seg") : null;
    if (!seg) return;
    const pos = maps.toCp(Number(seg.dataset.s));
    const covering = (model.get("spans") || []).filter((s) => s.start <= pos && s.end > pos)
      .sort((x, y) => (x.end - x.start) - (y.end - y.start));
    if (!covering.length) { selectSpan(""); root.focus({ preventScroll: true }); return; }
    const cur = covering.findIndex((s) => s.id === model.get("selected"));
    selectSpan(covering[(cur + 1) % covering.length].id);
    root.focus({ preventScroll: true });
  });

  root.addEventListener("keydown", (ev) => {
    if (isTyping(ev)) { if (ev.key === "Escape") root.focus(); return; }
    const ctrl = ev.ctrlKey || ev.metaKey;
    const key = ev.key;
    if (ctrl && (key === "z" || key === "Z")) {
      ev.preventDefault();
      send({ action: ev.shiftKey ? "redo" : "undo" });
      return;
    }
    if (ctrl && (key === "y" || key === "Y")) { ev.preventDefault(); send({ action: "redo" }); return; }
    if (ctrl || ev.altKey) return;
    const sel = spanById(model.get("selected"));
    if (key === "Escape") { if (picking) stopPicking(); else selectSpan(""); return; }
    if (key === "s" && !ev.shiftKey) {
      if (sel && sel.layer === "claim" && !sel.suggestion) { ev.preventDefault(); startPicking(sel.id); }
      return;
    }
    if (key === "Delete" || key === "Backspace") {
      ev.preventDefault();
      if (sel) send({ action: sel.suggestion ? "reject" : "delete", id: sel.id });
      return;
    }
    if (key === "Enter") {
      ev.preventDefault();
      if (sel && sel.suggestion) send({ action: "accept", id: sel.id });
      return;
    }
    if (key === "x" && sel && sel.suggestion) { send({ action: "reject", id: sel.id }); return; }
    if (key === "ArrowRight" || key === "ArrowLeft") {
      ev.preventDefault();
      const spans = (model.get("spans") || []).slice().sort((a, b) => a.start - b.start || b.end - a.end);
      if (!spans.length) return;
      let i = spans.findIndex((s) => s.id === model.get("selected"));
      if (i < 0) i = key === "ArrowRight" ? -1 : spans.length;
      i = key === "ArrowRight" ? Math.min(i + 1, spans.length - 1) : Math.max(i - 1, 0);
      selectSpan(spans[i].id);
      const chip = textBox.querySelector(`.nl-chip[data-id="${CSS.escape(spans[i].id)}"]`);
      if (chip) chip.scrollIntoView({ block: "nearest" });
      return;
    }
    const lab = (model.get("labels") || []).find((l) => l.key === key);
    if (lab) { ev.preventDefault(); tag(lab.name); }
  });

  // Python sends related traits together (hold_sync); draw each part once per batch.
  const dirty = new Set();
  let queued = false;
  const later = (fn) => () => {
    dirty.add(fn);
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      const fns = Array.from(dirty);
      dirty.clear();
      fns.forEach((f) => f());
    });
  };
  listen(model, ["doc"], later(drawHead), offs);
  listen(model, ["labels", "selection", "can_undo", "can_redo"], later(drawToolbar), offs);
  listen(model, ["spans", "sugg_group", "sugg_counts"], later(drawSuggBar), offs);
  listen(model, ["spans", "selected", "labels", "claim_kinds"], later(drawDetail), offs);
  listen(model, ["text", "spans", "selected", "selection", "labels"], later(drawText), offs);
  // another document or another selected span ends picking
  const endPick = () => { if (picking && model.get("selected") !== picking) picking = ""; };
  listen(model, ["selected", "doc"], endPick, offs);
  listen(model, ["spans", "selected", "doc"], later(drawPick), offs);
  listen(model, ["status", "annotator"], later(drawStatus), offs);
  drawAll();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- navigation
function renderNav(model, host) {
  const root = makeRoot(host, "nav");
  const offs = [];
  const send = sender(model);
  function draw() {
    root.replaceChildren();
    if (!model.get("annotator")) {
      const input = el("input", "nl-annotator-input");
      input.placeholder = "your name (e.g. alice)";
      const go = () => { if (input.value.trim()) send({ action: "set_annotator", name: input.value.trim() }); };
      input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
      root.append(el("span", "nl-strong", "Annotator name:"), input, button("Start annotating", "nl-start", go));
      const st = model.get("status");
      if (st) root.appendChild(el("span", "nl-error", st));
      return;
    }
    root.append(el("span", "nl-annotator", "Annotator: " + model.get("annotator")),
      button("◀ Prev", "nl-prev", () => send({ action: "prev" }), "previous document"),
      button("Next ▶", "nl-next", () => send({ action: "next" }), "next document"),
      button("Next unannotated »", "nl-next-todo", () => send({ action: "next_unannotated" })));
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
    root.appendChild(src);
    const pos = model.get("position"), count = model.get("count");
    root.appendChild(el("span", "nl-pos", count ? `doc ${pos} of ${count}` : "no documents"));
    const done = model.get("done"), total = model.get("total");
    const prog = el("span", "nl-progress");
    const bar = el("span", "nl-bar");
    const fill = el("span", "nl-fill");
    fill.style.width = total ? `${(100 * done) / total}%` : "0";
    bar.appendChild(fill);
    prog.append(bar, el("span", "nl-done", `${done} of ${total} done`));
    root.appendChild(prog);
  }
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
function stanceKeys(values) {
  const used = new Set();
  const keys = {};
  values.forEach((v, i) => {
    let k = String(v).charAt(0).toLowerCase();
    if (!k || used.has(k)) k = String(i + 1);
    used.add(k);
    keys[v] = k;
  });
  return keys;
}

function renderStances(model, host) {
  const root = makeRoot(host, "stances");
  const offs = [];
  let focusRow = 0;
  const send = sender(model);
  function rows() {
    const r = [];
    for (const t of model.get("targets") || []) r.push({ claim: null, target: t });
    if (model.get("claim")) for (const t of model.get("targets") || []) r.push({ claim: model.get("claim"), target: t });
    return r;
  }
  function draw() {
    root.replaceChildren(el("div", "nl-panel-title", "Stance"));
    const targets = model.get("targets") || [];
    const values = model.get("values") || [];
    const keys = stanceKeys(values);
    if (!targets.length) {
      root.appendChild(el("div", "nl-muted", "No stance targets yet: add what stances are about (a person, a deal)."));
      root.appendChild(addTargetBox());
      return;
    }
    const all = rows();
    focusRow = Math.min(focusRow, all.length - 1);
    let idx = 0;
    const section = (title, claim, current) => {
      root.appendChild(el("div", "nl-section", title));
      for (const t of targets) {
        const row = el("div", "nl-stance-row" + (idx === focusRow ? " nl-focus" : ""));
        row.dataset.target = t;
        row.dataset.claim = claim || "";
        row.style.setProperty("--nl-nvalues", String(values.length));
        const rowIndex = idx++;
        row.appendChild(el("span", "nl-target", t));
        for (const v of values) {
          const b = button(v, "nl-stance nl-stance-" + v + (current[t] === v ? " nl-active" : ""), () => {
            focusRow = rowIndex;
            send({ action: "stance", claim, target: t, value: v });
          }, `key ${keys[v]}`);
          b.dataset.value = v;
          row.appendChild(b);
        }
        root.appendChild(row);
      }
    };
    section("Document", null, model.get("doc_values") || {});
    root.appendChild(addTargetBox());
    if (model.get("claim")) section("Selected claim: “" + (model.get("claim_text") || "") + "”", model.get("claim"), model.get("claim_values") || {});
    else root.appendChild(el("div", "nl-muted", "Select a claim to set its stance."));
  }
  function addTargetBox() {
    // a new stance target for the whole project (toolkit targets add NAME does the same)
    const box = el("div", "nl-add-target");
    const input = el("input", "nl-target-input");
    input.placeholder = "new stance target";
    const add = () => { if (input.value.trim()) send({ action: "add_target", name: input.value }); };
    input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { add(); ev.preventDefault(); } });
    box.append(input, button("+ add", "nl-small nl-add-target-btn", add, "add a stance target to the project"));
    const targets = model.get("targets") || [];
    if (!targets.length) return box;
    // rename or remove an existing target (stances move with a rename; toolkit targets does the same)
    const pick = el("select", "nl-target-pick");
    for (const t of targets) { const o = el("option", null, t); o.value = t; pick.appendChild(o); }
    const rename = () => {
      if (input.value.trim()) send({ action: "rename_target", old: pick.value, new: input.value });
    };
    box.append(pick,
      button("rename", "nl-small nl-rename-target-btn", rename, "rename the chosen target to the text typed; its stances move with it"),
      button("remove", "nl-small nl-remove-target-btn", () => send({ action: "remove_target", name: pick.value }),
        "remove the chosen target (refused while stances use it)"));
    return box;
  }
  root.addEventListener("keydown", (ev) => {
    if (isTyping(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const all = rows();
    if (ev.key === "ArrowDown") { focusRow = Math.min(focusRow + 1, all.length - 1); draw(); ev.preventDefault(); return; }
    if (ev.key === "ArrowUp") { focusRow = Math.max(focusRow - 1, 0); draw(); ev.preventDefault(); return; }
    const keys = stanceKeys(model.get("values") || []);
    const v = Object.keys(keys).find((x) => keys[x] === ev.key);
    if (v && all[focusRow]) send({ action: "stance", claim: all[focusRow].claim, target: all[focusRow].target, value: v });
  });
  listen(model, ["targets", "values", "doc_values", "claim", "claim_text", "claim_values"], draw, offs);
  draw();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- claim links
function renderLinks(model, host) {
  const root = makeRoot(host, "links");
  const offs = [];
  const send = sender(model);
  const list = el("div", "nl-cands");
  const filter = el("input", "nl-filter");
  filter.placeholder = "filter candidates";
  filter.addEventListener("input", () => drawList());
  const title = el("div", "nl-panel-title", "Claim links");
  const info = el("div", "nl-muted");
  root.append(title, info, filter, list);
  function drawList() {
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
    for (const c of cands) {
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
      list.appendChild(row);
    }
  }
  listen(model, ["claim", "claim_text", "candidates"], drawList, offs);
  drawList();
  return () => offs.forEach((f) => f());
}

// ---------------------------------------------------------------- side by side
const CLUSTER_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a5", "#f032e6", "#9a6324"];

function renderSide(model, host) {
  const root = makeRoot(host, "side");
  const offs = [];
  const cols = el("div", "nl-cols");
  root.appendChild(cols);
  function draw() {
    cols.replaceChildren();
    const colors = labelColors(model.get("labels"));
    const clusters = model.get("clusters") || {};
    const linkColor = {};
    for (const [id, c] of Object.entries(clusters)) linkColor[id] = CLUSTER_COLORS[c % CLUSTER_COLORS.length];
    const shared = new Set(model.get("shared") || []);
    for (const side of ["left", "right"]) {
      const d = model.get(side) || {};
      const col = el("div", "nl-col");
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
      renderText(box, text, d.spans || [], { maps: offsetMaps(text), colors, linkColor, cluster: clusters, shared, chips: false });
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
      col.classList.add("nl-col-" + side);
      col.appendChild(box);
      cols.appendChild(col);
    }
    const refresh = button("↻ refresh", "nl-small nl-refresh", () => send({ action: "refresh" }), "re-read annotations");
    const legend = el("div", "nl-muted nl-legend",
      `${Object.keys(clusters).length ? "Linked claims share a colour" : "No linked claims between these documents"}` +
      ` · ${shared.size ? "entities mentioned in both are outlined" : "no shared entities"}`);
    legend.prepend(refresh);
    cols.appendChild(legend);
  }
  const send = sender(model);
  listen(model, ["left", "right", "clusters", "shared", "labels", "options"], draw, offs);
  draw();
  return () => offs.forEach((f) => f());
}

const VIEWS = { tagger: renderTagger, nav: renderNav, stances: renderStances, links: renderLinks, side: renderSide };

function render({ model, el: host }) {
  const fn = VIEWS[model.get("view")];
  if (!fn) {
    host.appendChild(el("div", "nl-error", "unknown view " + model.get("view")));
    return undefined;
  }
  return fn(model, host);
}

export default { render };
