"""W3C Web Annotation (JSON-LD): one AnnotationCollection with one page of annotations.

Each annotation targets ``urn:sha256:<document>`` with a TextPositionSelector (code
points, end exclusive, as the W3C model specifies) and a TextQuoteSelector (exact text
with up to 32 characters of prefix and suffix), so a consumer can re-anchor it even if
its copy of the text differs. The label is a ``tagging`` body, the note a ``commenting``
body.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imr_desktop.core.exports.base import (
    AtomicOutputs,
    DocRecord,
    LabelInfo,
    Report,
    SpanRecord,
    Writer,
)
from imr_desktop.core.model import ORIGIN_SUGGESTED, QUOTE_CONTEXT, now_iso

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def annotation(record: DocRecord, span: SpanRecord) -> dict[str, Any]:
    text = record.text
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": span.label, "format": "text/plain"}
    ]
    if span.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": span.note,
                "format": "text/plain",
            }
        )
    creator = (
        {"type": "Software", "name": "IMR Desktop suggestions"}
        if span.origin == ORIGIN_SUGGESTED
        else {"type": "Person", "nickname": span.annotator}
    )
    return {
        "id": f"urn:uuid:{span.id}",
        "type": "Annotation",
        "motivation": "tagging",
        "created": span.created_at,
        "modified": span.updated_at,
        "creator": creator,
        "body": body,
        "target": {
            "source": f"urn:sha256:{record.id}",
            "selector": [
                {"type": "TextPositionSelector", "start": span.start, "end": span.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": span.text,
                    "prefix": text[max(0, span.start - QUOTE_CONTEXT) : span.start],
                    "suffix": text[span.end : span.end + QUOTE_CONTEXT],
                },
            ],
        },
    }


class WebAnnoWriter(Writer):
    suffix = ".jsonld"
    supports_deidentify = False

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)
        head = {
            "@context": CONTEXT,
            "type": "AnnotationCollection",
            "label": "IMR Desktop annotations",
            "generated": now_iso(),
        }
        # stream the items: open the page's array and close it in close()
        self._file.write(json.dumps(head, ensure_ascii=False)[:-1])
        self._file.write(', "first": {"type": "AnnotationPage", "items": [')
        self._first = True

    def write(self, record: DocRecord) -> None:
        for span in record.spans:
            self._file.write("\n" if self._first else ",\n")
            self._first = False
            self._file.write(json.dumps(annotation(record, span), ensure_ascii=False))

    def close(self) -> None:
        self._file.write("\n]}}\n")
        self._file.close()
