"""Generate a Label Studio labeling config from the project's :class:`~toolkit.LabelSchema`.

The config and the pull/push converters share the control names defined
here, so one place decides how toolkit objects appear in Label Studio:

============================  =========================================================
toolkit                        Label Studio
============================  =========================================================
span (entity or claim label)   ``<Labels name="label" toName="text">`` region
claim ``kind``                 per-region ``<Choices name="kind">`` (single choice)
claim ``speaker``              per-region ``<TextArea name="speaker">``
document stance per target     ``<Choices name="stance_<i>">`` (i = index of the target)
claim link                     ``<Relations>`` relation between two claim regions
============================  =========================================================

Label Studio relations connect regions of the *same* task, so only links
between claims of one document travel through Label Studio.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

TEXT_NAME = "text"
LABELS_NAME = "label"
KIND_NAME = "kind"
SPEAKER_NAME = "speaker"
STANCE_PREFIX = "stance_"
LINK_RELATION = "same-claim"


def stance_control_name(index: int) -> str:
    """Name of the Choices control of the ``index``-th stance target."""
    return f"{STANCE_PREFIX}{index}"


def _attr(value: str) -> str:
    return quoteattr(str(value))


def _schema_parts(schema: Any) -> dict[str, Any]:
    """Accept a LabelSchema or its ``schema.json`` dict."""
    if hasattr(schema, "to_json"):
        schema = schema.to_json()
    return {
        "entity": [dict(lab) for lab in schema.get("entity_labels", [])],
        "claim": [dict(lab) for lab in schema.get("claim_labels", [])],
        "kinds": list(schema.get("claim_kinds", [])),
        "targets": list(schema.get("stance_targets", [])),
        "values": list(schema.get("stance_values", [])),
    }


def label_config(schema: Any) -> str:
    """Label Studio XML config for ``schema`` (a LabelSchema or schema.json dict).

    Claim attributes are shown only while a claim region is selected
    (``visibleWhen="region-selected"`` with ``whenLabelValue``).
    """
    p = _schema_parts(schema)
    claim_names = [lab["name"] for lab in p["claim"]]
    lines = ["<View>"]
    lines.append(f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">')
    for lab in (*p["entity"], *p["claim"]):
        extra = f" hint={_attr(lab['description'])}" if lab.get("description") else ""
        lines.append(f"    <Label value={_attr(lab['name'])} background={_attr(lab.get('color', '#888888'))}{extra}/>")
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TEXT_NAME}" value="$text" granularity="symbol"/>')
    if claim_names:
        lines.append(f'  <Relations><Relation value="{LINK_RELATION}"/></Relations>')
        when = f" whenLabelValue={_attr(','.join(claim_names))}"
        if p["kinds"]:
            lines.append(
                f'  <View visibleWhen="region-selected"{when}><Header value="Claim kind"/>'
                f'<Choices name="{KIND_NAME}" toName="{TEXT_NAME}" perRegion="true" choice="single">'
            )
            lines.extend(f"    <Choice value={_attr(k)}/>" for k in p["kinds"])
            lines.append("  </Choices></View>")
        lines.append(
            f'  <View visibleWhen="region-selected"{when}><Header value="Speaker"/>'
            f'<TextArea name="{SPEAKER_NAME}" toName="{TEXT_NAME}" perRegion="true" maxSubmissions="1" '
            'editable="true"/></View>'
        )
    for i, target in enumerate(p["targets"]):
        lines.append(
            f"  <Header value={_attr('Stance toward: ' + target)}/>"
            f'<Choices name="{stance_control_name(i)}" toName="{TEXT_NAME}" choice="single" showInline="true">'
        )
        lines.extend(f"    <Choice value={_attr(v)}/>" for v in p["values"])
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def stance_targets(schema: Any) -> list[str]:
    """Stance targets in config order (index i <-> control ``stance_<i>``)."""
    return _schema_parts(schema)["targets"]
