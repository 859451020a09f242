// Helpers shared by every view of the toolkit's widgets (annotator, side by side, review).
//
// Two halves: pure functions first (no DOM; unit-tested with `node --test tests/js/`),
// then the DOM helpers (they touch `document` only when called).  The Python loader
// (toolkit/widgets/views.py) concatenates this file with the view files into one ES
// module, dropping the `import`/`export` keywords between them.

// ================================================================ pure functions

/** Code point <-> UTF-16 maps for one text.  Identity when the text has no characters
 *  outside the BMP (the common case: no arrays allocated); otherwise offsets are clamped
 *  to the text and a UTF-16 offset inside a surrogate pair rounds down. */
export function offsetMaps(text) {
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

/** A track (0, 1, ...) for each of `spans` ({s, e}) so that overlapping spans get separate underlines. */
export function assignTracks(spans) {
  const order = spans.map((s, i) => i).sort((i, j) => spans[i].s - spans[j].s || spans[j].e - spans[i].e);
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

/** One key per stance value: its first letter, or its 1-based position when that letter is taken. */
export function stanceKeys(values) {
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

/** `#rgb`/`#rrggbb` -> `rgba(r,g,b,a)`; grey for anything unreadable. */
export function alpha(hex, a) {
  let h = String(hex || "#888888").replace("#", "");
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  const n = /^[0-9a-fA-F]{6}/.test(h) ? parseInt(h.slice(0, 6), 16) : NaN;
  if (Number.isNaN(n)) return `rgba(136,136,136,${a})`;
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/** `hex` if it is a CSS hex colour (safe to put in a style), else grey. */
export function safeColor(hex) {
  return /^#[0-9a-fA-F]{3,8}$/.test(String(hex || "")) ? hex : "#888888";
}

/** label name -> safe colour, from the schema's labels [{name, color}]. */
export function labelColors(labels) {
  const colors = {};
  for (const l of labels || []) colors[l.name] = safeColor(l.color);
  return colors;
}

/** Cut `text` at every span boundary (spans in code points, converted with `maps`).
 *  Returns {items, segments}: items [{sp, s, e, track}] in UTF-16 units; segments
 *  [{a, b, active: items covering [a, b), ending: items ending at b (innermost last),
 *  pending: inside the pending selection}]. */
export function textSegments(text, spans, maps, pending) {
  const items = [];
  for (const sp of spans) {
    const s = maps.toU16(sp.start), e = maps.toU16(sp.end);
    if (!(s < e) || e > text.length) continue;
    items.push({ sp, s, e });
  }
  assignTracks(items).forEach((t, i) => { items[i].track = t; });
  const bounds = new Set([0, text.length]);
  for (const it of items) { bounds.add(it.s); bounds.add(it.e); }
  let pend = null;
  if (pending && pending.length === 2) {
    pend = [maps.toU16(pending[0]), maps.toU16(pending[1])];
    bounds.add(pend[0]); bounds.add(pend[1]);
  }
  const points = Array.from(bounds).sort((a, b) => a - b);
  const byStart = items.slice().sort((a, b) => a.s - b.s || b.e - a.e);
  const endsAt = new Map();
  for (const it of items) {
    if (!endsAt.has(it.e)) endsAt.set(it.e, []);
    endsAt.get(it.e).push(it);
  }
  for (const list of endsAt.values()) list.sort((x, y) => y.s - x.s);
  const segments = [];
  let active = [];
  let k = 0;
  for (let p = 0; p < points.length - 1; p++) {
    const a = points[p], b = points[p + 1];
    active = active.filter((it) => it.e > a);
    while (k < byStart.length && byStart[k].s <= a) {
      if (byStart[k].e > a) active.push(byStart[k]);
      k++;
    }
    segments.push({ a, b, active: active.slice(), ending: endsAt.get(b) || [],
      pending: !!pend && a >= pend[0] && b <= pend[1] });
  }
  return { items, segments };
}

/** How one segment looks: CSS background layers (underlines per track, claim bands, pending
 *  selection), bottom padding, tooltip and flags.  opts: {colors, linkColor, shared: Set, selected}. */
export function segmentLook(seg, opts) {
  const colors = opts.colors || {};
  const linkColor = opts.linkColor || {};
  const shared = opts.shared || new Set();
  const layers = [];
  const titles = [];
  let maxTrack = -1;
  const look = { selected: false, shared: false, linked: null };
  for (const it of seg.active) {
    const sp = it.sp;
    const c = safeColor(linkColor[sp.id] || colors[sp.label]);
    const y = `calc(100% - ${it.track * 4}px)`;
    layers.push(sp.suggestion
      ? `repeating-linear-gradient(90deg, ${c} 0 4px, transparent 4px 7px) 0 ${y} / 100% 2px no-repeat`
      : `linear-gradient(${c}, ${c}) 0 ${y} / 100% 2px no-repeat`);
    maxTrack = Math.max(maxTrack, it.track);
    if (sp.id === opts.selected) look.selected = true;
    if (shared.has(sp.id)) look.shared = true;
    if (linkColor[sp.id]) look.linked = sp.id;
    titles.push(!sp.suggestion ? sp.label
      : sp.score === undefined || sp.score === null ? sp.label + " (suggestion)"
        : `${sp.label} (suggestion, score ${formatScore(sp.score)})`);
  }
  // claim bands under entity underlines (claims are long, entities short)
  for (const it of seg.active) {
    if (it.sp.layer === "claim" || linkColor[it.sp.id]) {
      const band = alpha(safeColor(linkColor[it.sp.id] || colors[it.sp.label]), it.sp.suggestion ? 0.08 : 0.16);
      layers.push(`linear-gradient(${band}, ${band})`);
    }
  }
  if (seg.pending) layers.unshift("linear-gradient(rgba(33,150,243,0.30), rgba(33,150,243,0.30))");
  return { ...look, layers, titles, padding: (maxTrack + 1) * 4 };
}

/** Spans covering code point `pos`, innermost (shortest) first; `keep` filters them. */
export function spansAt(spans, pos, keep) {
  return (spans || []).filter((s) => s.start <= pos && s.end > pos && (!keep || keep(s)))
    .sort((x, y) => (x.end - x.start) - (y.end - y.start));
}

/** Id of the span after (`step` 1) or before (`step` -1) `selectedId` in text order; "" if none. */
export function stepSpan(spans, selectedId, step) {
  const order = (spans || []).slice().sort((a, b) => a.start - b.start || b.end - a.end);
  if (!order.length) return "";
  let i = order.findIndex((s) => s.id === selectedId);
  if (i < 0) i = step > 0 ? -1 : order.length;
  i = step > 0 ? Math.min(i + 1, order.length - 1) : Math.max(i - 1, 0);
  return order[i].id;
}

/** A scheduler that runs each queued function once per microtask batch (Python sends related
 *  traits together; each part of a view is drawn once per batch).  `later(fn)` returns a trigger. */
export function batcher(onError) {
  const dirty = new Set();
  let queued = false;
  const flush = () => {
    queued = false;
    const fns = Array.from(dirty);
    dirty.clear();
    for (const f of fns) {
      try { f(); } catch (err) { if (onError) onError(err); else throw err; }
    }
  };
  return (fn) => () => {
    dirty.add(fn);
    if (queued) return;
    queued = true;
    queueMicrotask(flush);
  };
}

// ---------------------------------------------------------------- suggestion confidence

/** The tagger's single-key shortcuts for suggestion confidence (KeyboardEvent.key values).
 *  None of them is a label key (Python's LABEL_KEYS: 1-0, q-p) nor `s` / `x`; a test checks it. */
export const CONFIDENCE_KEYS = Object.freeze({
  lowerScore: "[", raiseScore: "]", nextGroup: "g", acceptHere: "a", acceptAll: "A", nextUncertain: "n", help: "?",
});

/** Step of the min-score slider and of the `[` / `]` keys. */
export const SCORE_STEP = 0.05;

/** A score typed or slid: a number clamped to [0, 1], rounded to 2 decimals; null when it is not a number. */
export function parseScore(value) {
  if (value === null || value === undefined || String(value).trim() === "") return null;
  const x = Number(String(value).trim().replace(",", "."));
  if (!Number.isFinite(x)) return null;
  return Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
}

/** `score` moved `dir` (+1 / -1) steps on the grid of `step`, clamped to [0, 1]. */
export function stepScore(score, dir, step = SCORE_STEP) {
  const cur = parseScore(score) ?? 0;
  const n = dir > 0 ? Math.floor(cur / step + 1e-9) + 1 : Math.ceil(cur / step - 1e-9) - 1;
  return parseScore(n * step);
}

/** "0.50" for a score; "no score" for a suggestion without one. */
export function formatScore(score) {
  return typeof score === "number" && Number.isFinite(score) ? score.toFixed(2) : "no score";
}

/** The suggestion group shown after `group`: entity -> claim -> off (hidden) -> entity. */
export function nextGroup(group) {
  const order = ["entity", "claim", "off"];
  return order[(order.indexOf(group) + 1) % order.length];
}

/** The inline confirmation's question for a pending "accept all ≥ score": {score, scope, group, count, docs}. */
export function bulkQuestion(bulk) {
  const n = Number(bulk.count) || 0;
  const what = `${n} ${bulk.group === "claim" ? "claim" : "entity"} suggestion${n === 1 ? "" : "s"}`;
  const score = Number(bulk.score) > 0 ? ` with score ≥ ${formatScore(Number(bulk.score))}` : " (every score, and unscored)";
  const where = bulk.scope === "all"
    ? ` in ${bulk.docs} document${Number(bulk.docs) === 1 ? "" : "s"} (all documents)` : " in this document";
  return `Accept ${what}${score}${where}? One undo step removes them all.`;
}

/** The tagger's keyboard shortcuts for its help box: [keys, what] (label keys are listed from the schema). */
export const TAGGER_SHORTCUTS = [
  ["drag, then a label key", "tag the selection"],
  ["← / →", "previous / next span"],
  ["Enter / x", "accept / reject the selected suggestion"],
  ["Delete / Backspace", "delete the selected span (reject a suggestion)"],
  ["s", "pick the speaker of the selected claim"],
  ["Escape", "cancel (selection, picking, confirmation)"],
  ["Ctrl+Z / Ctrl+Shift+Z", "undo / redo"],
  [`${CONFIDENCE_KEYS.nextGroup}`, "suggestions: entities → claims → hidden"],
  [`${CONFIDENCE_KEYS.lowerScore} / ${CONFIDENCE_KEYS.raiseScore}`, `min score − / + ${SCORE_STEP}`],
  [`${CONFIDENCE_KEYS.acceptHere}`, "accept all shown suggestions ≥ min score in this document (asks first)"],
  [`Shift+${CONFIDENCE_KEYS.acceptAll}`, "the same in all documents (asks first)"],
  ["Enter / Escape", "confirm / cancel that question"],
  [`${CONFIDENCE_KEYS.nextUncertain}`, "next most uncertain document"],
  ["Alt+← / Alt+→", "previous / next document (navigation bar)"],
  [`${CONFIDENCE_KEYS.help}`, "show / hide this help"],
];

/** "Error: <message>" for any thrown value (what the status line shows). */
export function errorText(err) {
  const msg = err && err.message ? err.message : String(err);
  return "Error: " + msg;
}

// ================================================================ DOM helpers

/** An element with class `cls` and text `text` (always a text node: never HTML). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** A button; `onClick(ev)` runs after preventDefault. */
export function button(label, cls, onClick, title) {
  const b = el("button", "nl-btn " + (cls || ""), label);
  b.type = "button";
  if (title) b.title = title;
  b.addEventListener("click", (ev) => {
    ev.preventDefault();
    onClick(ev);
  });
  return b;
}

/** The focusable root of a view.  Keys typed inside it are ours: they stop here, and the
 *  root carries data-lm-suppress-shortcuts, so JupyterLab's command-mode keys never fire. */
export function makeRoot(host, kind, prefix = "nl") {
  const root = el("div", `${prefix}-root ${prefix}-${kind}`);
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  for (const k of ["keydown", "keyup", "keypress"]) root.addEventListener(k, (ev) => ev.stopPropagation());
  host.appendChild(root);
  return root;
}

/** model.send, noting the time of the last message on the root (data-sent-at, ms since epoch). */
export function sender(model, root) {
  return (msg) => {
    if (root) {
      root.dataset.sentAt = String(Date.now());
      root.dataset.sentAction = String(msg.action);
    }
    model.send(msg);
  };
}

/** model.on for each trait in `names`; the matching model.off goes into `offs` (the view's cleanup). */
export function listen(model, names, fn, offs) {
  for (const n of names) {
    model.on("change:" + n, fn);
    offs.push(() => model.off("change:" + n, fn));
  }
}

/** Wrap `fn` so that an exception is shown in `statusEl` (as "Error: ...") and then re-thrown. */
export function guard(statusEl, fn) {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      if (statusEl) {
        statusEl.textContent = errorText(err);
        statusEl.classList.add("nl-error");
      }
      throw err;
    }
  };
}

/** True when the key event comes from a text field (its keys are not shortcuts). */
export function isTyping(ev) {
  const t = ev.target;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
}
