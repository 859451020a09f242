// The review (adjudication) views: disputed stance units and disputed span units.
import { el, makeRoot, sender, listen, guard } from "./helpers.js";

function rvButton(label, title, onClick) {
  const b = el("button", "rv-btn", label);
  b.type = "button";
  b.title = title || "";
  b.addEventListener("click", (ev) => { ev.preventDefault(); onClick(); });
  return b;
}

const prevButton = (send) => rvButton("◀ Previous (p)", "previous unit", () => send({ action: "prev" }));
const nextButton = (send) => rvButton("Next (n) ▶", "next unit", () => send({ action: "next" }));

// A focusable root whose keys in `keys` (either case) go to Python as {action: "key", key};
// `body(r)` draws the unit under the "k of N decided" header on every change.  Returns the cleanup.
function mountReview(model, host, kind, keys, body) {
  const root = makeRoot(host, kind, "rv");
  const send = sender(model, root);
  const wanted = new Set([...keys.toLowerCase(), ...keys.toUpperCase()]);
  root.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !wanted.has(ev.key)) return;
    ev.preventDefault();
    send({ action: "key", key: ev.key });
  });
  const msg = el("div", "rv-msg");
  const redraw = guard(msg, () => {
    root.replaceChildren();
    const head = el("div", "rv-head");
    head.appendChild(el("b", null, model.get("status")));
    root.appendChild(head);
    msg.textContent = model.get("message") || "";
    msg.classList.toggle("rv-error", /^error/i.test(msg.textContent));
    const u = model.get("unit") || {};
    if (!u.uid && !u.target) {
      root.appendChild(el("div", "rv-done", model.get("message")));
      if (model.get("count")) root.appendChild(prevButton(send));
      return;
    }
    body({ root, u, send });
    root.appendChild(msg);
  });
  const offs = [];
  listen(model, ["unit", "status", "message"], redraw, offs);
  redraw();
  root.focus({ preventScroll: true });
  return () => offs.forEach((f) => f());
}

function navBar(send, middle) {
  const bar = el("div", "rv-bar");
  bar.appendChild(prevButton(send));
  if (middle) bar.appendChild(middle);
  bar.appendChild(nextButton(send));
  return bar;
}

// ---------------------------------------------------------------- stances
function stanceInfo(model, u) {
  const info = el("div", "rv-info");
  info.append(el("span", null, `Unit ${model.get("position") + 1} of ${model.get("count")} · stance toward `),
    el("i", null, u.target), el("span", null, " · "), el("b", null, u.doc_id), el("span", null, ` (${u.source || "?"})`));
  return info;
}

function answersTable(u) {
  const table = el("table", "rv-answers");
  const hr = el("tr");
  hr.append(el("th", null, "annotator"), el("th", null, "answer"));
  table.appendChild(hr);
  for (const a of u.answers) {
    const tr = el("tr");
    const td = el("td");
    td.appendChild(el("b", null, a.value || "—"));
    tr.append(el("td", null, a.annotator), td);
    table.appendChild(tr);
  }
  return table;
}

function stanceBody(model, { root, u, send }) {
  root.appendChild(stanceInfo(model, u));
  if (u.claim) {
    const c = el("div", "rv-claim");
    c.append(el("span", null, "claim "), el("code", null, u.claim));
    if (u.claim_text) c.appendChild(el("span", null, `: “${u.claim_text}”`));
    root.appendChild(c);
  }
  root.append(el("div", "rv-excerpt", u.excerpt), answersTable(u));
  const choices = el("div", "rv-bar");
  for (const c of u.choices) {
    const b = rvButton(`${c.value} (${c.key})`, `record '${c.value}' as gold`,
      () => send({ action: "choose", value: c.value }));
    if (c.chosen) b.classList.add("rv-chosen");
    choices.appendChild(b);
  }
  root.append(choices, navBar(send));
}

/** Disputed stance units: keys 1-9 pick the n-th stance value, n/p move; returns its cleanup. */
export function renderStanceReview(model, host) {
  return mountReview(model, host, "review-stances", "123456789np", (ctx) => stanceBody(model, ctx));
}

// ---------------------------------------------------------------- spans
function versionCard(v, send) {
  const card = el("div", "rv-card" + (v.chosen ? " rv-chosen" : ""));
  card.appendChild(el("div", "rv-who", (v.key ? v.key + " · " : "") + v.annotator));
  const ctx = el("div", "rv-ctx");
  for (const seg of v.segments) {
    if (seg.labels.length) {
      const m = el("mark", "rv-mark", seg.text);
      m.appendChild(el("sup", "rv-lab", seg.labels.join("+")));
      ctx.appendChild(m);
    } else ctx.appendChild(document.createTextNode(seg.text));
  }
  const list = el("ul", "rv-list");
  if (!v.spans.length) list.appendChild(el("li", "rv-none", "(no span)"));
  for (const s of v.spans) list.appendChild(el("li", null, `${s.label} [${s.start}:${s.end}] “${s.text}”`));
  card.append(ctx, list);
  if (v.key) {
    card.appendChild(rvButton(`Take ${v.annotator}'s version (${v.key})`, "record as gold",
      () => send({ action: "take", annotator: v.annotator })));
  }
  return card;
}

function spanBody(model, { root, u, send }) {
  const info = el("div", "rv-info");
  info.append(el("span", null, `Unit ${model.get("position") + 1} of ${model.get("count")} · `), el("b", null, u.doc_id),
    el("span", null, ` (${u.source || "?"}) · ${u.layer} · characters ${u.start}–${u.end}`));
  const grid = el("div", "rv-grid");
  for (const v of u.versions) grid.appendChild(versionCard(v, send));
  const reject = rvButton("Reject: no span (x)", "gold gets no span here", () => send({ action: "reject" }));
  root.append(info, grid, navBar(send, reject));
}

/** Disputed span units: keys 1-9 take the n-th annotator's version, x rejects, n/p move; returns its cleanup. */
export function renderSpanReview(model, host) {
  return mountReview(model, host, "review-spans", "123456789xnp", (ctx) => spanBody(model, ctx));
}
