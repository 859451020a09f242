"""Unit tests of the pure parts of toolkit.labelstudio: offset conversion, region checks, config."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

import toolkit as tk
from toolkit.labelstudio.config import label_config
from toolkit.labelstudio.offsets import OffsetMap, check_region, cp_to_utf16, utf16_length, utf16_to_cp

# "😀" (U+1F600) and "𝒳" (U+1D4B3) are outside the BMP: one code point, two UTF-16 units each.
TEXT = "😀😀 Alice met 𝒳 Bob today."


def test_utf16_offsets_hand_computed() -> None:
    # Python index of "Bob" is 15; in UTF-16 the three astral characters before it add 3 -> 18.
    assert TEXT.index("Bob") == 15
    assert cp_to_utf16(TEXT, 15) == 18
    assert utf16_to_cp(TEXT, 18) == 15
    assert utf16_length(TEXT) == len(TEXT.encode("utf-16-le")) // 2
    assert utf16_to_cp(TEXT, 1) is None  # between the two halves of the first emoji
    assert utf16_to_cp(TEXT, 2) == 1
    assert utf16_to_cp(TEXT, utf16_length(TEXT) + 1) is None


@given(st.text(alphabet=st.sampled_from(list("ab é\n😀𝒳中\U0010ffff")), max_size=40))
def test_conversion_roundtrips_against_utf16_encoding(text: str) -> None:
    omap = OffsetMap(text)
    for i in range(len(text) + 1):
        u = omap.cp_to_utf16(i)
        assert u == len(text[:i].encode("utf-16-le")) // 2
        assert omap.utf16_to_cp(u) == i


def test_check_region_code_points_ok() -> None:
    r = check_region(TEXT, 15, 18, "Bob")
    assert (r.status, r.start, r.end) == ("ok", 15, 18)


def test_check_region_realigns_utf16_units() -> None:
    r = check_region(TEXT, 18, 21, "Bob")
    assert (r.status, r.start, r.end, r.how) == ("realigned", 15, 18, "utf16")
    # the astral character itself: code points [13, 14), UTF-16 [15, 17)
    r = check_region(TEXT, 15, 17, "𝒳")
    assert (r.status, r.start, r.end) == ("realigned", 13, 14)


def test_check_region_unique_text_and_mismatch() -> None:
    text = "x Bob y Ann z"
    r = check_region(text, 0, 3, "Ann")  # wrong offsets, unique text
    assert (r.status, r.start, r.end, r.how) == ("realigned", 8, 11, "unique-text")
    r = check_region("Bob and Bob", 1, 4, "Bob")  # ambiguous: two places
    assert r.status == "mismatch" and not r.usable and "several" in r.how
    r = check_region(text, 0, 3, "Zed")
    assert r.status == "mismatch" and "not found" in r.how
    assert check_region(text, 5, 99, None).status == "mismatch"
    assert check_region(text, "1", 3, "x").status == "mismatch"
    assert check_region(text, 2, 5, None).how == "unverified"


def test_label_config_is_valid_xml_with_all_schema_parts() -> None:
    schema = tk.LabelSchema.default(stance_targets=["harbour plan", 'the "Ng" & <co> deal'])
    root = ET.fromstring(label_config(schema))
    labels = [e.get("value") for e in root.iter("Label")]
    assert labels == [lab.name for lab in schema.labels]
    names = {e.get("name"): e for e in root.iter() if e.get("name")}
    assert names["kind"].tag == "Choices" and names["kind"].get("perRegion") == "true"
    assert [c.get("value") for c in names["kind"]] == list(schema.claim_kinds)
    assert names["speaker"].tag == "TextArea" and names["speaker"].get("perRegion") == "true"
    assert [c.get("value") for c in names["stance_1"]] == list(schema.stance_values)
    headers = [e.get("value") for e in root.iter("Header")]
    assert 'Stance toward: the "Ng" & <co> deal' in headers  # escaped and parsed back intact
    assert [r.get("value") for r in root.iter("Relation")] == ["same-claim"]


def test_label_config_accepts_schema_json_dict() -> None:
    cfg = label_config({"entity_labels": [{"name": "PERSON", "color": "#fff"}], "claim_labels": []})
    root = ET.fromstring(cfg)
    assert [e.get("value") for e in root.iter("Label")] == ["PERSON"]
    assert not list(root.iter("Relations")) and not list(root.iter("Choices"))
