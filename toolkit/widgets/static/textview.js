// Drawing an article with its spans, and mapping a DOM selection back to offsets.
import { el, safeColor, alpha, textSegments, segmentLook } from "./helpers.js";

/** Render `text` with `spans` ({id, start, end, label, layer, suggestion}, code points) into `box`.
 *  opts: {maps, colors, selected, pending: [s, e] (cp), linkColor: {spanId: hex}, cluster: {spanId: n},
 *  shared: Set(spanId), chips: bool}.  Returns the time taken in ms. */
export function renderText(box, text, spans, opts) {
  const t0 = performance.now();
  const { segments } = textSegments(text, spans, opts.maps, opts.pending);
  const frag = document.createDocumentFragment();
  for (const seg of segments) {
    frag.appendChild(segmentNode(text, seg, opts));
    if (opts.chips) for (const it of seg.ending) frag.appendChild(chipNode(it, seg.b, opts));
  }
  box.replaceChildren(frag);
  return performance.now() - t0;
}

function segmentNode(text, seg, opts) {
  const node = el("span", "nl-seg");
  node.dataset.s = String(seg.a);
  node.dataset.e = String(seg.b);
  node.appendChild(document.createTextNode(text.slice(seg.a, seg.b)));
  const look = segmentLook(seg, opts);
  if (look.shared) node.classList.add("nl-shared");
  if (look.linked) {
    node.classList.add("nl-linked");
    const cluster = opts.cluster ? opts.cluster[look.linked] : undefined;
    if (cluster !== undefined) node.dataset.cluster = String(cluster);
  }
  if (seg.pending) node.classList.add("nl-pending");
  if (look.layers.length) {
    node.style.background = look.layers.join(", ");
    node.style.paddingBottom = `${look.padding}px`;
    node.classList.add("nl-covered");
    node.title = look.titles.join(" · ");
  }
  if (look.selected) node.classList.add("nl-sel");
  return node;
}

function chipNode(it, at, opts) {
  const chip = el("span", "nl-chip" + (it.sp.suggestion ? " nl-chip-sugg" : ""), it.sp.label);
  chip.dataset.id = it.sp.id;
  chip.dataset.at = String(at);
  chip.contentEditable = "false";
  const c = safeColor((opts.linkColor || {})[it.sp.id] || (opts.colors || {})[it.sp.label]);
  chip.style.borderColor = c;
  chip.style.background = alpha(c, 0.22);
  if (it.sp.id === opts.selected) chip.classList.add("nl-chip-sel");
  return chip;
}

/** DOM position (node, offset) inside a rendered text box -> UTF-16 offset (null outside the text). */
export function u16At(box, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const parent = node.parentElement;
    if (parent && parent.dataset.s !== undefined) return Number(parent.dataset.s) + offset;
    if (parent && parent.dataset.at !== undefined) return Number(parent.dataset.at);
    return null;
  }
  if (node === box) {
    const kids = box.childNodes;
    if (offset >= kids.length) return kids.length ? boundaryOf(kids[kids.length - 1], "e") : 0;
    return boundaryOf(kids[offset], "s");
  }
  if (node.dataset && node.dataset.s !== undefined) {
    return offset === 0 ? Number(node.dataset.s) : Number(node.dataset.e);
  }
  if (node.dataset && node.dataset.at !== undefined) return Number(node.dataset.at);
  return null;
}

// the start ("s") or end ("e") offset of a segment or chip node
function boundaryOf(n, which) {
  if (n.dataset && n.dataset[which] !== undefined) return Number(n.dataset[which]);
  if (n.dataset && n.dataset.at !== undefined) return Number(n.dataset.at);
  return 0;
}
