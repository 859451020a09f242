// Unit tests of the suggestion-confidence helpers (score filter, bulk confirmation, keys): node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CONFIDENCE_KEYS, SCORE_STEP, parseScore, stepScore, formatScore, nextGroup, bulkQuestion, TAGGER_SHORTCUTS,
  segmentLook,
} from "../../toolkit/widgets/static/helpers.js";

test("parseScore clamps to [0, 1], rounds to 2 decimals and refuses what is not a number", () => {
  assert.equal(parseScore("0.5"), 0.5);
  assert.equal(parseScore(" 0,75 "), 0.75); // a decimal comma, as typed in many locales
  assert.equal(parseScore(0.123456), 0.12);
  assert.equal(parseScore(1.7), 1);
  assert.equal(parseScore(-3), 0);
  for (const bad of ["", "  ", "abc", null, undefined, NaN, Infinity]) assert.equal(parseScore(bad), null, String(bad));
});

test("stepScore moves on the step grid and stops at the ends", () => {
  assert.equal(SCORE_STEP, 0.05);
  assert.equal(stepScore(0.5, 1), 0.55);
  assert.equal(stepScore(0.5, -1), 0.45);
  // off the grid (typed 0.52): the next grid point in that direction
  assert.equal(stepScore(0.52, 1), 0.55);
  assert.equal(stepScore(0.52, -1), 0.5);
  assert.equal(stepScore(1, 1), 1);
  assert.equal(stepScore(0, -1), 0);
  // twenty steps up from 0 reach exactly 1 (no floating-point drift)
  let x = 0;
  for (let i = 0; i < 20; i++) x = stepScore(x, 1);
  assert.equal(x, 1);
});

test("formatScore shows two decimals, and says when a suggestion has no score", () => {
  assert.equal(formatScore(0.5), "0.50");
  assert.equal(formatScore(1), "1.00");
  assert.equal(formatScore(null), "no score");
  assert.equal(formatScore(undefined), "no score");
});

test("nextGroup cycles entities, claims, hidden", () => {
  assert.equal(nextGroup("entity"), "claim");
  assert.equal(nextGroup("claim"), "off");
  assert.equal(nextGroup("off"), "entity");
  assert.equal(nextGroup("bogus"), "entity");
});

test("bulkQuestion states count, score, scope and the single undo step", () => {
  const q = bulkQuestion({ count: 7, score: 0.6, scope: "all", group: "entity", docs: 3 });
  assert.equal(q, "Accept 7 entity suggestions with score ≥ 0.60 in 3 documents (all documents)? "
    + "One undo step removes them all.");
  assert.equal(bulkQuestion({ count: 1, score: 0.9, scope: "document", group: "claim", docs: 1 }),
    "Accept 1 claim suggestion with score ≥ 0.90 in this document? One undo step removes them all.");
  assert.match(bulkQuestion({ count: 2, score: 0, scope: "document", group: "entity", docs: 1 }), /unscored/);
});

test("confidence keys are distinct single keys, listed in the help", () => {
  const keys = Object.values(CONFIDENCE_KEYS);
  assert.equal(new Set(keys).size, keys.length);
  for (const k of keys) assert.equal(k.length, 1, k);
  const help = TAGGER_SHORTCUTS.map(([k]) => k).join(" ");
  for (const k of keys) assert.ok(help.includes(k), `${k} missing from the help`);
  for (const [k, what] of TAGGER_SHORTCUTS) assert.ok(k && what);
});

test("a suggestion's tooltip carries its score", () => {
  const seg = { active: [{ sp: { id: "s", label: "GPE", layer: "entity", suggestion: true, score: 0.724 }, track: 0 },
    { sp: { id: "t", label: "DATE", layer: "entity", suggestion: true, score: null }, track: 1 }], pending: false };
  const look = segmentLook(seg, { colors: {} });
  assert.deepEqual(look.titles, ["GPE (suggestion, score 0.72)", "DATE (suggestion)"]);
});
