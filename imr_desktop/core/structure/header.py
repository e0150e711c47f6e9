"""Header values: case number, dates, priority, and the reviewer's credentials.

Values are found by their printed labels ("Date of Injury:"), whichever layout the label
sits in: the 2016-17 table puts the value on the next line, other layouts on the same line
or several label/value pairs on one line. A label with no well-formed value after it
yields nothing: a value is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from imr_desktop.core.structure.lines import Lines, collapse, ignorecase_words, make_field, trim
from imr_desktop.core.structure.model import Field

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_NUMERIC_DATE = r"\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}"
_NAMED_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}"
DATE = rf"(?:{_NUMERIC_DATE}|{_NAMED_DATE})"
CASE_NUMBER = r"CM\d{2}-\d{7}"

# field -> label alternatives (regex, whitespace-tolerant since labels may wrap)
_DATE_LABELS: dict[str, tuple[str, ...]] = {
    "date_assigned": (r"Date\s+Assigned", r"Assignment\s+Date", r"Date\s+of\s+Assignment"),
    "date_of_injury": (r"Date\s+of\s+Injury", r"Injury\s+Date", r"DOI"),
    "decision_date": (r"Decision\s+Date", r"Date\s+of\s+(?:Decision|Determination)", r"Dated"),
    "ur_denial_date": (
        r"UR\s+Denial\s+Date",
        r"Date\s+of\s+UR\s+(?:Decision|Denial)",
        r"UR\s+(?:Decision|Determination)\s+Date",
        r"Utilization\s+Review\s+(?:Denial|Decision)\s+Date",
    ),
    "application_received": (
        r"IMR\s+Application\s+Received(?:\s+Date)?",
        r"Application\s+Received(?:\s+Date)?",
        r"Date\s+(?:IMR\s+)?Application\s+Received",
    ),
}  # each label starts with a letter (see ignorecase_words)
# Sentences that state the same dates in the 2013 notices, used when no label is printed.
_DATE_SENTENCES: dict[str, tuple[str, ...]] = {
    "application_received": (
        r"application\s+for\s+Independent\s+Medical\s+Review\s+was\s+(?:filed|received)\s+on",
    ),
    "ur_denial_date": (r"disputing\s+the\s+Utilization\s+Review\s+(?:Denial|Decision)\s+dated",),
    "date_assigned": (
        r"Notice\s+of\s+Assignment\s+and\s+Request\s+for\s+Information\s+was\s+provided\s+to"
        r"\s+the\s+above\s+parties\s+on",
    ),
}


def _compile(labels: tuple[str, ...]) -> re.Pattern[str]:
    # the label (not inside a word), its colon, then the value after at most one line
    # break of padding
    return ignorecase_words(labels, rf"[ \t]*:\s*(?P<v>{DATE})", not_after_letter=True)


_DATE_RES = {name: _compile(labels) for name, labels in _DATE_LABELS.items()}
_DATE_SENTENCE_RES = {
    name: re.compile(rf"(?:{'|'.join(pats)})\s+(?P<v>{DATE})", re.IGNORECASE)
    for name, pats in _DATE_SENTENCES.items()
}
# "IMR Case Number", "MAXIMUS Case No." ...: the label's own first word is left out, as
# it changes nothing of the value found, and a pattern opening with an optional word is
# tried at every position of the letter (six times slower)
_CASE_LABELED = ignorecase_words(
    (r"Case\s+(?:Number|No\.?|#)",), rf"[ \t]*:?\s*(?P<v>{CASE_NUMBER})\b"
)
# \b before "C", written as a look-behind after it: the pattern then opens with a literal,
# which re finds fast ("C" is rare in a letter)
assert CASE_NUMBER.startswith("C")
_CASE_ANY = re.compile(rf"(?P<v>C(?<!\wC){CASE_NUMBER[1:]})\b")
_PRIORITY = re.compile(r"Priority[ \t]*:\s*(?P<v>Standard|Expedited|Regular)\b", re.IGNORECASE)


def parse_date(printed: str) -> str | None:
    """ISO date for a printed MM/DD/YYYY, M/D/YY or "Month D, YYYY"; None if not a date."""
    s = collapse(printed).replace(" ", "")
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})", s)
    if m:
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:  # two-digit years occur in narrative dates (10/15/10)
            year += 2000 if year < 70 else 1900
    else:
        m = re.fullmatch(r"([A-Za-z]{3,9})\.?(\d{1,2}),?(\d{4})", s)
        if not m:
            return None
        month = _MONTHS.get(m[1].lower(), 0) or next(
            (v for k, v in _MONTHS.items() if len(m[1]) >= 3 and k.startswith(m[1].lower())), 0
        )
        day, year = int(m[2]), int(m[3])
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_field(m: re.Match[str]) -> Field | None:
    iso = parse_date(m["v"])
    return None if iso is None else Field(iso, m.start("v"), m.end("v"))


def find_dates(text: str) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for name, rx in _DATE_RES.items():
        for m in rx.finditer(text):
            f = _date_field(m)
            if f is not None:
                out[name] = f
                break
    for name, rx in _DATE_SENTENCE_RES.items():
        if name not in out:
            m = rx.search(text)
            f = _date_field(m) if m else None
            if f is not None:
                out[name] = f
    return out


def find_case_number(text: str) -> Field | None:
    m = _CASE_LABELED.search(text) or _CASE_ANY.search(text)
    return None if m is None else Field(m["v"].upper(), m.start("v"), m.end("v"))


def find_priority(text: str) -> Field | None:
    m = _PRIORITY.search(text)
    return None if m is None else Field(m["v"].capitalize(), m.start("v"), m.end("v"))


# ---------------------------------------------------------------- reviewer credentials
_LICENSURE_LABEL = re.compile(r"^[ \t]*State\(s\)\s+of\s+Licensure[ \t]*:", re.I | re.M)
_SPECIALTY_LABEL = re.compile(
    r"^[ \t]*Certification\(s\)\s*/\s*Specialt(?:y|ies)[ \t]*:", re.I | re.M
)
_ANY_LABEL = re.compile(r"[ \t]*[A-Z][A-Za-z()/ ]{1,40}:")
# "The expert reviewer is Board Certified in X[, has a subspecialty in Y] and is licensed
# to practice in Z." (2013-2015 layouts)
_BOARD = re.compile(
    r"Board[ \t\n]+Certified[ \t\n]+in[ \t\n]+(?P<spec>[^.]{1,200}?)"
    r"(?:,?[ \t\n]+(?:and[ \t\n]+)?(?:has[ \t\n]+a[ \t\n]+)?sub-?specialty[ \t\n]+in"
    r"[ \t\n]+(?P<sub>[^.]{1,200}?))?"
    r",?[ \t\n]+(?:and[ \t\n]+)?is[ \t\n]+licensed[ \t\n]+to[ \t\n]+practice[ \t\n]+in"
    r"[ \t\n]+(?P<lic>[^.]{1,200}?)\.",
    re.I,
)


def _label_value(lines: Lines, m: re.Match[str], stop_titles: set[int]) -> tuple[int, int]:
    """From the end of a label to the end of its paragraph (values wrap over lines)."""
    text = lines.text
    i = lines.index_at(m.end())
    end = lines.ends[i]
    j = i + 1
    while j < lines.count and not lines.blank[j] and j not in stop_titles:
        if _ANY_LABEL.match(text, lines.starts[j], lines.ends[j]):
            break
        end = lines.ends[j]
        j += 1
    return m.end(), end


def _split_list(text: str, start: int, end: int, seps: re.Pattern[str]) -> list[Field]:
    out: list[Field] = []
    pos = start
    for sep in seps.finditer(text, start, end):
        f = make_field(text, pos, sep.start())
        if f is not None:
            out.append(f)
        pos = sep.end()
    f = make_field(text, pos, end)
    if f is not None:
        out.append(f)
    return out


_COMMA = re.compile(r",")
_COMMA_AND = re.compile(r",\s*and\s+|,|(?<!\s)\s+and\s+")


def find_credentials(lines: Lines, stop_titles: set[int]) -> tuple[list[Field], list[Field]]:
    """(licensure, specialties) from the labelled lists, else from the Board sentence."""
    text = lines.text
    licensure: list[Field] = []
    specialties: list[Field] = []
    m = _LICENSURE_LABEL.search(text)
    if m:
        s, e = _label_value(lines, m, stop_titles)
        licensure = _split_list(text, s, e, _COMMA)
    m = _SPECIALTY_LABEL.search(text)
    if m:
        s, e = _label_value(lines, m, stop_titles)
        specialties = _split_list(text, s, e, _COMMA)
    if licensure or specialties:
        return licensure, specialties
    m = _BOARD.search(text)
    if m:
        specialties = [f for f in (make_field(text, *m.span("spec")),) if f]
        if m["sub"]:
            specialties += [f for f in (make_field(text, *m.span("sub")),) if f]
        licensure = _split_list(text, *trim(text, *m.span("lic")), _COMMA_AND)
    return licensure, specialties
