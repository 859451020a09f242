"""The HTML of the comparison report: page, sections and the reader-facing explanations.

Only markup and words live here; :mod:`toolkit.compare.report` fills the ``{placeholders}``
(``str.format``) with escaped values and rendered tables.  Editing how the report reads (an
explanation, a heading) never means touching the code that computes it.
"""

from __future__ import annotations

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #1f2328; background: #f6f8fa; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin-top: 2em; }
h3 { margin-top: 1.4em; }
p.explain, .explain { color: #444; max-width: 860px; }
p.meta { color: #666; font-size: 0.9em; }
p.note { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 4px; max-width: 860px; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.88em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #eef1f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 12px 0 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e1e4e8; }
figcaption { font-size: 0.85em; color: #555; }
del { background: #ffd7d5; text-decoration: line-through; }
ins { background: #ccffd8; text-decoration: none; }
.empty { color: #888; font-style: italic; }
"""

PAGE = """<!DOCTYPE html>
<html lang='en'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'>
<title>{title}</title><style>{css}</style></head>
<body><main>
{body}
</main></body></html>
"""

HEADER = """<h1>{title}</h1>
<p class="meta">{n_sources} sources, {n_documents} documents. Annotations used: {layer} (annotators in the
project: {annotators}). Generated {generated}.</p>
{layer_note}
<p class="explain">This report compares how several news sources reported the same event: who and what
they mention, which claims they make, which quotations they share, which side they take, and how each
frames the story. Each section starts with a short explanation of how to read it. Counts come from the
annotations people (or models) made on the articles, so they are only as complete as those
annotations. Long tables show their top rows; the notebook and <code>toolkit compare ... --format csv</code>
give every row.</p>
"""

LAYER_NOTE = '<p class="note">{text}</p>'

CONTENTS = """<nav><h2>Contents</h2><ol>{items}</ol></nav>"""
CONTENTS_ITEM = "<li><a href='#{anchor}'>{title}</a></li>"

SECTION = "<h2 id='{anchor}'>{number}. {title}</h2>"
SUBSECTION = "<h3>{title}</h3>"
EXPLAIN = '<p class="explain">{text}</p>'
EMPTY = '<p class="empty">{text}</p>'
FIGURE = '<figure><img src="{src}" alt="{alt}"><figcaption>{caption}</figcaption></figure>'
MORE_ROWS = '<p class="meta">Showing {shown:,} of {total:,} rows.</p>'
TABLE = "<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

#: (anchor, title) of every section, in order.
SECTIONS = (
    ("sources", "Sources and documents"),
    ("profiles", "Source profiles"),
    ("entities", "Who and what is mentioned"),
    ("claims", "Claims"),
    ("quotes", "Shared quotations"),
    ("stances", "Stances"),
    ("framing", "How the outlets frame it"),
)

EXPLAIN_TEXT = {
    "sources": "The articles this report is based on: how many each source has, then the first articles "
               "of each source.",
    "profiles": "How much each source wrote and how much of it is other people's words. <b>Quotations</b> "
                "counts passages in quotation marks of at least {min_words} words (a headline repeating a "
                "body quotation counts once); <b>share quoted</b> is the part of the text inside quotation "
                "marks; <b>speakers quoted</b> counts the different people or bodies quoted; <b>claims</b> "
                "counts annotated claims.",
    "entities": "Each row is a person, organisation or place; each column a source; each cell the number of "
                "times that source mentions it. Different forms of one name (\"Ms Doe\", \"Jane Doe\", "
                "\"Doe's\", \"J. Doe\") are counted as one entity; uncertain merges wait for an analyst "
                "(<code>toolkit compare merges</code>). Dates and numbers are left out. Darker cells mean "
                "more mentions. A row with empty cells shows who a source left out.",
    "exclusive_entities": "Entities that appear in only one source's coverage.",
    "first_mentions": "Position of the first mention in the article, from 0% (the first words) to 100% (the "
                      "end); earlier usually means more prominent. Empty: not mentioned.",
    "claims": "A claim is a statement of fact, prediction, opinion or quotation that annotators marked. "
              "Claims that annotators linked as \"the same claim\" form a <b>cluster</b> (C1, C2, ...). The "
              "heatmap shows which sources carry each cluster.",
    "attributions": "For clusters reported by more than one source: the person or body each source names as "
                    "the origin of the claim. \"(unattributed)\" means the source states it without naming "
                    "anyone.",
    "links": "Pairs of claims from different sources that use similar words but are not linked yet, most "
             "similar first (score from 0 to 1). An annotator should check them: similar words do not always "
             "mean the same claim.",
    "quotes": "The same quotation printed by more than one source, even when a source shortened it, left "
              "words out (…) or changed a word. <b>match</b> says what kind: <i>full</i> (the same statement), "
              "<i>partial</i> (one version holds only part of the other) or <i>scare</i> (the same one or two "
              "words in quotation marks, from the same speaker). <b>cover a</b> and <b>cover b</b> are the "
              "shares of each version found in the other; <b>similarity</b> is the larger cover, lowered for "
              "matches of fewer than five words so a short fragment never scores like a full sentence. In the "
              "differences column, <del>struck-out words</del> appear only in the first source's version and "
              "<ins>highlighted words</ins> only in the second's.",
    "stances": "Whether each source's coverage is in favour of, against, or neutral towards each target, as "
               "annotated. <b>Agreement</b> shows how far the annotators agreed on these judgements for that "
               "source and target: Krippendorff's alpha is 1 for perfect agreement and 0 for agreement no "
               "better than chance (n/a when it cannot be computed, e.g. only one annotator); percent agreement "
               "is the share of annotator pairs that chose the same value.",
    "voices": "Who each outlet lets speak: the people and bodies it quotes, how many quotations and quoted "
              "words each gets, and <b>share</b>, their part of all the words the outlet quotes. An outlet that "
              "gives most of its quoted words to one side frames the story through that side.",
    "presence": "For the people quoted most: in each outlet, whether they are <i>quoted</i>, only "
                "<i>mentioned</i>, or <i>absent</i>.",
    "verbs": "The verb that introduces each shared quotation in each outlet. \"Said\" and \"told\" are neutral; "
             "\"claimed\" keeps a distance from the words, \"admitted\" makes them a concession, \"insisted\" "
             "makes them firm. The same words introduced with different kinds of verb are a framing choice "
             "(classes in docs/framing.md).",
    "verb_classes": "How often each outlet uses each kind of reporting verb.",
    "words": "Per outlet, the words and two-word phrases it uses clearly more than the other outlets, by the "
             "weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "
             "\"Fightin' Words\"). <b>z</b> above about 2 means the difference is unlikely to be chance; the "
             "prior keeps rare words from topping the list.",
    "descriptors": "The words each outlet attaches to the same person, organisation or place: appositions "
                   "(\"Ilves, <i>the Ostrandi leader</i>, said\"), titles and other words right before the name "
                   "(\"<i>the embattled Prime Minister</i> Ilves\") and the adjectives in them. Each row is an "
                   "entity that two or more outlets mention; each cell holds the descriptors only that outlet uses "
                   "for it (with how often, when more than once). An empty cell means the outlet uses none of its "
                   "own: it describes the entity like another outlet does, or not at all. \"Venn's spokesperson\" "
                   "in one outlet and \"the President's spokesperson\" in another tie the same man to a person or "
                   "to an office; \"regime\" against \"government\" is a choice of side. Found by simple "
                   "patterns, not by a parser: a descriptor needs a comma-set phrase or a title next to an "
                   "annotated name, and honorifics (Mr, Ms) do not count.",
    "descriptors_all": "All descriptors (appositions and titles) of the entities two or more outlets describe, "
                       "shared ones included.",
    "emphasis": "What each outlet puts in its headlines and first paragraphs (entities, claim clusters, shared "
                "quotations), in the order it first brings them up.",
    "omissions": "Items that at least half of the outlets carry, and the outlets that leave them out: what the "
                 "readers of those outlets never learn.",
}
