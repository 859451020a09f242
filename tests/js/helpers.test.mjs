// Unit tests of the widgets' pure front-end helpers (no browser): node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  offsetMaps, assignTracks, stanceKeys, alpha, safeColor, labelColors, textSegments, segmentLook, spansAt,
  stepSpan, batcher, errorText,
} from "../../toolkit/widgets/static/helpers.js";

test("offset maps are the identity for text without astral characters", () => {
  const m = offsetMaps("Mayor Ana Lind resigned.");
  assert.equal(m.nCp, 24);
  assert.equal(m.toU16(6), 6);
  assert.equal(m.toCp(9), 9);
});

test("offset maps convert code points and UTF-16 units around an emoji", () => {
  const text = "a😀b😀c"; // code points: a 😀 b 😀 c (5); UTF-16 units: 7
  const m = offsetMaps(text);
  assert.equal(text.length, 7);
  assert.equal(m.nCp, [...text].length);
  // each code point's UTF-16 offset, and back again
  let u = 0;
  [...text].forEach((ch, cp) => {
    assert.equal(m.toU16(cp), u, `code point ${cp}`);
    assert.equal(m.toCp(u), cp, `unit ${u}`);
    u += ch.length;
  });
  assert.equal(m.toU16(5), 7); // the end of the text
  assert.equal(m.toCp(2), 1); // inside the first surrogate pair: rounds down to the emoji
  assert.equal(text.slice(m.toU16(2), m.toU16(3)), "b");
  assert.equal(m.toU16(99), 7); // clamped
  assert.equal(m.toCp(-3), 0);
});

test("overlapping spans get separate tracks; disjoint ones share track 0", () => {
  const spans = [{ s: 0, e: 10 }, { s: 2, e: 5 }, { s: 12, e: 14 }, { s: 4, e: 8 }];
  const tracks = assignTracks(spans);
  assert.deepEqual(tracks, [0, 1, 0, 2]);
  // no two overlapping spans share a track
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const overlap = spans[i].s < spans[j].e && spans[j].s < spans[i].e;
      if (overlap) assert.notEqual(tracks[i], tracks[j]);
    }
  }
  assert.deepEqual(assignTracks([{ s: 0, e: 3 }, { s: 3, e: 6 }]), [0, 0]); // touching is not overlapping
});

test("stance keys: first letters, positions where a letter is taken", () => {
  assert.deepEqual(stanceKeys(["favour", "against", "neutral", "none"]),
    { favour: "f", against: "a", neutral: "n", none: "4" });
  assert.deepEqual(stanceKeys(["pro", "pro-ish", ""]), { pro: "p", "pro-ish": "2", "": "3" });
});

test("colours: alpha of short and long hex, grey for anything else; safeColor refuses CSS injection", () => {
  assert.equal(alpha("#ff8000", 0.5), "rgba(255,128,0,0.5)");
  assert.equal(alpha("#f80", 0.2), "rgba(255,136,0,0.2)");
  assert.equal(alpha("red; background: url(x)", 1), "rgba(136,136,136,1)");
  assert.equal(alpha(undefined, 0.1), "rgba(136,136,136,0.1)");
  assert.equal(safeColor("#1a2B3c"), "#1a2B3c");
  assert.equal(safeColor("red"), "#888888");
  assert.equal(safeColor("#fff;}body{x:y"), "#888888");
  assert.deepEqual(labelColors([{ name: "PERSON", color: "#123456" }, { name: "ORG", color: "url(x)" }]),
    { PERSON: "#123456", ORG: "#888888" });
});

test("text segments cut at every span boundary and know which spans cover them", () => {
  const text = "Ana Lind said the port will close.";
  const spans = [
    { id: "c", start: 0, end: 34, label: "CLAIM", layer: "claim" },
    { id: "p", start: 0, end: 8, label: "PERSON", layer: "entity" },
    { id: "l", start: 4, end: 8, label: "PERSON", layer: "entity", suggestion: true },
    { id: "bad", start: 5, end: 5, label: "ORG" }, // empty: dropped
  ];
  const { items, segments } = textSegments(text, spans, offsetMaps(text), [9, 13]);
  assert.equal(items.length, 3);
  assert.equal(segments.map((s) => text.slice(s.a, s.b)).join(""), text); // the pieces are the text
  assert.deepEqual(segments.map((s) => [s.a, s.b]), [[0, 4], [4, 8], [8, 9], [9, 13], [13, 34]]);
  assert.deepEqual(segments[1].active.map((it) => it.sp.id).sort(), ["c", "l", "p"]);
  assert.deepEqual(segments[1].ending.map((it) => it.sp.id), ["l", "p"]); // innermost first
  assert.deepEqual(segments.map((s) => s.pending), [false, false, false, true, false]);
  assert.deepEqual(segments[4].ending.map((it) => it.sp.id), ["c"]);
});

test("text segments convert code points to UTF-16 units", () => {
  const text = "😀 Ana";
  const { segments } = textSegments(text, [{ id: "p", start: 2, end: 5, label: "PERSON" }], offsetMaps(text));
  assert.deepEqual(segments.map((s) => text.slice(s.a, s.b)), ["😀 ", "Ana"]);
});

test("segment look: solid and dashed underlines per track, a band under claims, the pending selection first", () => {
  const text = "Ana said it.";
  const spans = [
    { id: "c", start: 0, end: 12, label: "CLAIM", layer: "claim" },
    { id: "p", start: 0, end: 3, label: "PERSON", layer: "entity", suggestion: true },
  ];
  const { segments } = textSegments(text, spans, offsetMaps(text), [0, 3]);
  const look = segmentLook(segments[0], { colors: { CLAIM: "#ff0000", PERSON: "#00ff00" }, selected: "p" });
  assert.equal(look.selected, true);
  assert.equal(look.padding, 8); // two tracks
  assert.match(look.layers[0], /rgba\(33,150,243/); // pending selection on top
  assert.equal(look.layers.filter((l) => l.startsWith("repeating-linear-gradient(90deg, #00ff00")).length, 1);
  assert.equal(look.layers.filter((l) => l.includes("rgba(255,0,0,0.16)")).length, 1); // claim band
  assert.deepEqual(look.titles.sort(), ["CLAIM", "PERSON (suggestion)"]);
  const plain = segmentLook(segments[1], { colors: {} });
  assert.equal(plain.selected, false);
  assert.equal(plain.layers.some((l) => l.includes("#888888")), true); // unknown colour: grey
});

test("spansAt lists covering spans innermost first; stepSpan walks them in text order", () => {
  const spans = [
    { id: "c", start: 0, end: 30 }, { id: "p", start: 0, end: 8 }, { id: "o", start: 12, end: 20 },
  ];
  assert.deepEqual(spansAt(spans, 3).map((s) => s.id), ["p", "c"]);
  assert.deepEqual(spansAt(spans, 3, (s) => s.id !== "p").map((s) => s.id), ["c"]);
  assert.deepEqual(spansAt(spans, 30), []);
  assert.equal(stepSpan(spans, "", 1), "c");
  assert.equal(stepSpan(spans, "", -1), "o");
  assert.equal(stepSpan(spans, "c", 1), "p");
  assert.equal(stepSpan(spans, "o", 1), "o"); // stays at the last
  assert.equal(stepSpan([], "x", 1), "");
});

test("batcher runs each queued function once per microtask batch", async () => {
  const later = batcher();
  const calls = [];
  const a = later(() => calls.push("a"));
  const b = later(() => calls.push("b"));
  a(); b(); a(); a();
  assert.deepEqual(calls, []); // nothing yet: drawn after the batch of trait changes
  await Promise.resolve();
  assert.deepEqual(calls, ["a", "b"]);
  a();
  await Promise.resolve();
  assert.deepEqual(calls, ["a", "b", "a"]);
});

test("batcher hands errors to its handler, and the other parts still draw", async () => {
  const seen = [];
  const later = batcher((err) => seen.push(errorText(err)));
  const drawn = [];
  later(() => { throw new Error("bad span"); })();
  later(() => drawn.push("text"))();
  await Promise.resolve();
  assert.deepEqual(seen, ["Error: bad span"]);
  assert.deepEqual(drawn, ["text"]);
  assert.equal(errorText("plain"), "Error: plain");
});
