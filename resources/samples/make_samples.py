"""Write the bundled sample letters: ``sample-determination.pdf`` and ``.txt``.

Both letters are FICTIONAL: the cases, dates, case numbers and clinical stories were made
up for IMR Desktop and belong to no real person. They copy only the *layout* of the public
redacted California IMR Final Determination letters, so that a first-time user sees what a
real letter looks like and every feature (structure, labels, exports) has something to
work on.

- ``sample-determination.pdf``: the 2016–17 public layout (grey header table in a sans
  font, Times-like body, three decided items, one of them flowing across a page break,
  one in the modified-request wording), three US Letter pages. The header table is drawn
  as an HTML table so its text comes out label first, then value, row by row, as in the
  real letters (where "Application" and "Received:" also fall on separate lines).
- ``sample-determination.txt``: the older 2014–15 layout (no header table, "Board
  Certified in …", citations with "Page(s):"), as plain UTF-8 text the way such a letter
  reads when extracted from its PDF.

Byte stability: the PDF is byte-for-byte identical on every run with the same pymupdf /
MuPDF version (checked with sha256 over repeated runs on pymupdf 2.0 / MuPDF 1.28.5):
MuPDF's story writer stores no dates, the metadata dates are fixed below, and the file is
saved with ``no_new_id`` so no random /ID is added. Another MuPDF version may lay out or
compress differently; regenerate and commit both files together.

Real letters come from Word, which does not form ligatures; MuPDF's HTML engine always
does. Each "f" before f/i/l is therefore closed in its own inline run (``f<span>i</span>``),
which keeps the glyphs apart and adds no character to the text layer.

Run from the top of the checkout::

    python resources/samples/make_samples.py
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
PDF_NAME = "sample-determination.pdf"
TXT_NAME = "sample-determination.txt"

LETTER = pymupdf.paper_rect("letter")  # 612 x 792 pt
# One-inch margins as in the real letters; the story area is 5.5 pt wider on each side
# because Word hangs table borders and cell padding out into the margin.
HANG = 5.5
BODY = pymupdf.Rect(72 - HANG, 72, 540 + HANG, 720)
FIXED_DATE = "D:20161228090000-08'00'"  # the sample's decision date

# ----------------------------------------------------------------------------- the case
# Header values of the fictional case (MM/DD/YYYY as printed in the letters). The case
# number is far above any number DWC issued in 2016, so it cannot point at a real case.
HEADER = {
    "case_number": "CM16-0913527",
    "date_assigned": "11/30/2016",
    "date_of_injury": "03/14/2015",
    "decision_date": "12/28/2016",
    "ur_denial_date": "11/15/2016",
    "priority": "Standard",
    "application_received": "11/22/2016",
}
LICENSURE = "California, Arizona"
SPECIALTY = "Physical Medicine &amp; Rehabilitation, Pain Medicine"

BOILERPLATE = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. The "
    "reviewer has no affiliation with the employer, the employee, the providers or the "
    "claims administrator. He/she has practiced clinically for more than five years and "
    "still works at least 24 hours a week in active practice. The reviewer was chosen for "
    "his/her clinical experience, education, background and expertise in a specialty that "
    "evaluates and/or treats the medical condition and the disputed services. He/she "
    "knows the governing laws and regulations, including the strength of evidence hierarchy "
    "that applies to Independent Medical Review determinations."
)

SUMMARY = (
    "The applicant is a 47-year-old female warehouse order selector who has filed a claim "
    "for chronic low back pain radiating to the right leg, reportedly associated with an "
    "industrial injury of March 14, 2015, when she lifted a carton of canned goods from a "
    "pallet. In a utilization review report dated November 15, 2016, the claims "
    "administrator denied a request for cyclobenzaprine, denied a request for a repeat "
    "lumbar MRI, and partially approved a request for physical therapy. The applicant's "
    "attorney subsequently appealed. A lumbar MRI of June 2, 2015 showed a 4 mm right "
    "paracentral disc protrusion at L4-L5 contacting the traversing right L5 nerve root. "
    "Treatment to date has included 18 sessions of physical therapy in 2015, a home "
    "exercise program, a right L4-L5 transforaminal epidural steroid injection on October "
    "6, 2015 with about 50% relief for three months, and medications. On a progress note "
    "dated October 27, 2016, the applicant reported low back pain rated 6/10 with "
    "numbness over the dorsum of the right foot, worse over the preceding six weeks, and "
    "new episodes of the right foot catching on stairs. Her medications were tramadol ER "
    "150 mg daily, cyclobenzaprine 7.5 mg three times daily, which she had taken since "
    "mid-2015, naproxen 550 mg twice daily and omeprazole. On examination, lumbar flexion "
    "was limited to 40 degrees, straight leg raise was positive on the right at 45 degrees, "
    "right extensor hallucis longus strength was 4/5 (5/5 in a June 2016 note), and the "
    "right ankle reflex was diminished. The treating physician diagnosed lumbar disc "
    "displacement with right L5 radiculopathy, worsening, and requested a repeat MRI of "
    "the lumbar spine, a refill of cyclobenzaprine 7.5 mg #90, and physical therapy twice "
    "a week for six weeks. The applicant was working modified duty with a 20-pound lifting "
    "limit."
)

SECTION_BASED = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): "


def item1() -> list[str]:
    return [
        heading("Cyclobenzaprine 7.5mg #90:", "Upheld"),
        labelled(
            "Claims Administrator guideline:",
            SECTION_BASED + "Muscle relaxants (for pain).",
        ),
        labelled(
            "MAXIMUS guideline:",
            SECTION_BASED + "Muscle relaxants (for pain), and Cyclobenzaprine (Flexeril).",
        ),
        labelled(
            "Decision rationale:",
            "No, the request for cyclobenzaprine 7.5mg #90 was not medically necessary. "
            "The MTUS Chronic Pain Medical Treatment Guidelines recommend cyclobenzaprine "
            "as an option only for a short course of therapy; its effect is greatest in "
            "the first four days, and adding it to other agents is not recommended. Here, "
            "the applicant has taken cyclobenzaprine three times daily since mid-2015, "
            "together with tramadol and naproxen, and the request for 90 tablets implies "
            "continued long-term daily use. The October 27, 2016 progress note did not "
            "describe muscle spasm, and it did not report any improvement in pain or "
            "function attributable to the medication, such as a longer sitting tolerance "
            "or a reduced need for other analgesics. Continuing a muscle relaxant for well "
            "over a year is at odds with the guideline. Therefore, the request is not "
            "medically necessary.",
        ),
    ]


def item2() -> list[str]:
    return [
        heading("Repeat MRI of the lumbar spine without contrast:", "Overturned"),
        labelled(
            "Claims Administrator guideline:",
            "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.",
        ),
        labelled(
            "MAXIMUS guideline:",
            "The Expert Reviewer based their decision on recommendation(s) outside of the "
            "MTUS Guidelines. Decision based on Non-MTUS Citation Official Disability "
            "Guidelines (ODG), Low Back - Lumbar &amp; Thoracic (Acute &amp; Chronic) "
            "Chapter, MRIs (magnetic resonance imaging).",
        ),
        labelled(
            "Decision rationale:",
            "Yes, the request for a repeat MRI of the lumbar spine was medically necessary. "
            "The MTUS ACOEM Low Back Complaints chapter addresses imaging in the first "
            "months of a low back complaint and does not address when a study should be "
            "repeated, so the Official Disability Guidelines were consulted. ODG states "
            "that a repeat MRI is not routinely recommended and should be reserved for a "
            "significant change in symptoms and/or findings suggestive of significant "
            "pathology, such as a progressive neurologic deficit. Here, the only lumbar MRI "
            "on file dates from June 2015, more than 16 months before the request. Since "
            "then, the applicant has reported six weeks of worsening numbness over the "
            "dorsum of the right foot and new episodes of the foot catching on stairs, and "
            "the October 27, 2016 examination documented right extensor hallucis longus "
            "weakness of 4/5 where strength had been normal in June 2016, together with a "
            "newly diminished right ankle reflex. These are objective, progressive deficits "
            "in the distribution of the right L5 root, which the earlier study showed to be "
            "contacted by the L4-L5 protrusion. Updated imaging is needed to decide whether "
            "the applicant is a candidate for further injection therapy or for a surgical "
            "consultation, and the applicant's reported willingness to consider either "
            "option supports the request. The claims administrator's reliance on the MTUS "
            "ACOEM chapter, which does not speak to a repeat study in the face of a new "
            "deficit, was misplaced. Because the ODG criteria for repeat imaging are met, "
            "the request for a repeat MRI of the lumbar spine without contrast is medically "
            "necessary.",
        ),
    ]


def item3() -> list[str]:
    return [
        heading(
            "Physical therapy for the lumbar spine, 2 times a week for 6 weeks (12 sessions) "
            "was the original request. Physical therapy for the lumbar spine, 6 sessions was "
            "authorized by the Claims Administrator. The remaining IMR eligible portion of "
            "the original request, Physical therapy for the lumbar spine, 6 sessions is:",
            "Upheld",
            own_line=True,
        ),
        labelled(
            "Claims Administrator guideline:",
            SECTION_BASED + "Physical medicine treatment.",
        ),
        labelled(
            "MAXIMUS guideline:",
            SECTION_BASED + "Physical medicine treatment.",
        ),
        labelled(
            "Decision rationale:",
            "The MTUS Chronic Pain Medical Treatment Guidelines recommend 8 to 10 visits "
            "over four weeks for radiculitis, with a fading frequency and a transition to "
            "an independent home exercise program. The applicant completed 18 sessions of "
            "physical therapy in 2015 and has a home exercise program. The six sessions "
            "already authorized allow for a course addressing the current flare and a "
            "review of the home program. The records do not explain why a further six "
            "sessions would be needed beyond the authorized course, which already exceeds "
            "what the guidelines support in total when the earlier sessions are counted. "
            "Therefore, the remaining six sessions of physical therapy for the lumbar spine "
            "are not medically necessary.",
        ),
    ]


# ----------------------------------------------------------------------------- HTML
CSS = """
body { margin: 0; font-family: 'Times New Roman', Times; font-size: 12pt; }
p { margin: 0 5.5pt; line-height: 1.15; text-align: left; }
p.blank { white-space: pre; }
p.h { font-weight: bold; text-align: center; margin-top: 2pt; margin-bottom: 6pt; }
table.hdr { border-collapse: collapse; margin-top: 7pt;
            font-family: Arial, Helvetica; font-size: 11pt; line-height: 1.15; }
table.hdr td { border: 0.4pt solid black; padding: 0 5.4pt; vertical-align: top; }
td.l { background-color: #dfdfdf; font-weight: bold; width: 96.5pt; }
td.v { width: 139pt; }
td.l2 { background-color: #dfdfdf; font-weight: bold; width: 87pt; }
td.v2 { width: 110pt; }
td.g { background-color: #dfdfdf; white-space: pre; }
"""

_NO_LIGATURE = re.compile(r"f([fil])")


def text(s: str) -> str:
    """Letter text (HTML, "&" written as "&amp;") with f-ligatures kept apart (see above)."""
    return _NO_LIGATURE.sub(r"f<span>\1</span>", s)


def para(s: str) -> str:
    return f"<p>{text(s)}</p>"


def blank() -> str:
    # Word's empty paragraph: a line holding one space, as in the real text layer.
    return '<p class="blank"> </p>'


def section(title: str) -> str:
    return f'<p class="h">{text(title)}</p>'


def labelled(label: str, body: str) -> str:
    return f"<p><b>{text(label)}</b> {text(body)}</p>{blank()}"


def heading(item: str, outcome: str, *, own_line: bool = False) -> str:
    sep = "<br/>" if own_line else "  "
    return f"<p><b>{text(item)}</b>{sep}{outcome}</p>{blank()}"


def header_table() -> str:
    h = HEADER

    def row(l1: str, v1: str, l2: str, v2: str) -> str:
        return (
            f'<tr><td class="l">{l1}</td><td class="v">{v1}</td>'
            f'<td class="l2">{l2}</td><td class="v2">{v2}</td></tr>'
        )

    return (
        '<table class="hdr">'
        f'<tr><td class="l">Case Number:</td><td class="v">{h["case_number"]}</td>'
        '<td class="g" colspan="2"> </td></tr>'
        + row("Date Assigned:", h["date_assigned"], "Date of Injury:", h["date_of_injury"])
        + row("Decision Date:", h["decision_date"], "UR Denial Date:", h["ur_denial_date"])
        + row("Priority:", h["priority"], "Application Received:", h["application_received"])
        + "</table>"
    )


def letter_html() -> str:
    parts = [
        blank(),
        header_table(),
        blank(),
        section("HOW THE IMR FINAL DETERMINATION WAS MADE"),
        para(BOILERPLATE),
        blank(),
        para("The Expert Reviewer has the following credentials:"),
        para(f"State(s) of Licensure: {LICENSURE}"),
        para(f"Certification(s)/Specialty: {SPECIALTY}"),
        blank(),
        section("CLINICAL CASE SUMMARY"),
        para(
            "The expert reviewer developed the following clinical case summary based on a "
            "review of the case file, including all medical records:"
        ),
        blank(),
        para(SUMMARY),
        blank(),
        section("IMR ISSUES, DECISIONS AND RATIONALES"),
        para(
            "The Final Determination was based on decisions for the disputed items/services "
            "set forth below:"
        ),
        blank(),
        *item1(),
        *item2(),
        *item3(),
    ]
    return "<body>" + "".join(parts) + "</body>"


# ----------------------------------------------------------------------------- PDF
def _marker_png() -> bytes:
    """A small grey 'fictional sample' mark where the real letters carry a logo.

    It is a picture, not text, so the letter's text layer stays exactly like a real one.
    """
    doc = pymupdf.open()
    page = doc.new_page(width=150, height=30)
    page.draw_rect(pymupdf.Rect(1, 1, 149, 29), color=(0.55, 0.55, 0.55), width=1)
    page.insert_text(
        (10, 13), "IMR Desktop sample", fontname="hebo", fontsize=9, color=(0.45, 0.45, 0.45)
    )
    page.insert_text(
        (10, 24),
        "fictional case, no real person",
        fontname="helv",
        fontsize=7.5,
        color=(0.45, 0.45, 0.45),
    )
    png = page.get_pixmap(dpi=200, alpha=False).tobytes("png")
    doc.close()
    return png


def build_pdf() -> bytes:
    story = pymupdf.Story(html=letter_html(), user_css=CSS)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    more = True
    while more:
        device = writer.begin_page(LETTER)
        more, _ = story.place(BODY)
        story.draw(device)
        writer.end_page()
    writer.close()

    doc = pymupdf.open(stream=buf.getvalue(), filetype="pdf")
    doc[0].insert_image(pymupdf.Rect(440, 36, 560, 60), stream=_marker_png())
    doc.set_metadata(
        {
            "title": f"Sample IMR Final Determination {HEADER['case_number']} (fictional)",
            "author": "IMR Desktop",
            "subject": "Fictional sample letter in the 2016-17 public IMR layout",
            "keywords": "IMR, sample, fictional",
            "creator": "IMR Desktop resources/samples/make_samples.py",
            "producer": f"pymupdf {pymupdf.__version__}",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    out = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return out


def layout_problems(pdf: bytes) -> list[str]:
    """What would make the sample unlike a real letter: page count, breaks after a slash.

    MuPDF may break a line after "/" ("items/" + newline + "services"), which Word does
    not do; reword the text when that happens.
    """
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    problems = [] if doc.page_count == 3 else [f"{doc.page_count} pages instead of 3"]
    for page in doc:
        for line in page.get_text("text").splitlines():
            if line.rstrip().endswith("/"):
                problems.append(f"page {page.number + 1}: line ends with a slash: {line!r}")
    doc.close()
    return problems


# ----------------------------------------------------------------------------- text
# The older layout, as text extracted from such a letter: lines wrapped as on the page,
# one space ending each line, a line holding one space between paragraphs. A redacted
# name leaves a double space ("was seen by  on ...").
TXT_PARAGRAPHS: list[str] = [
    "HOW THE IMR FINAL DETERMINATION WAS MADE",
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. The "
    "reviewer has no affiliation with the employer, the employee, the providers or the "
    "claims administrator. The expert reviewer is Board Certified in Orthopedic Surgery and "
    "is licensed to practice in California. He/she has practiced clinically for more than "
    "five years and still works at least 24 hours a week in active practice. The reviewer "
    "was chosen for his/her clinical experience, education, background and expertise in a "
    "specialty that evaluates and/or treats the medical condition and the disputed "
    "items/services. He/she knows the governing laws and regulations, including the "
    "strength of evidence hierarchy that applies to Independent Medical Review "
    "determinations.",
    "",
    "CLINICAL CASE SUMMARY",
    "The expert reviewer developed the following clinical case summary based on a review of "
    "the case file, including all medical records:",
    "",
    "The claimant is a 52-year-old male delivery driver who injured his right shoulder on "
    "08/21/13 while pulling a loaded hand truck up a ramp.  An MRI arthrogram of 11/04/13 "
    "showed a partial-thickness articular-side tear of the supraspinatus and tendinosis of "
    "the long head of the biceps, without a full-thickness tear.  He was treated with "
    "naproxen, a subacromial corticosteroid injection on 12/10/13 that helped for about "
    "six weeks, and 12 sessions of physical therapy between 01/14 and 03/14.  He was seen "
    "by  on 04/29/14 and reported ongoing pain at night and with overhead reaching, rated "
    "5/10.  Forward flexion was 150 degrees and abduction 140 degrees, with a positive "
    "Hawkins sign and 4+/5 external rotation strength.  He was performing a home exercise "
    "program and working with restrictions.  He had stopped naproxen two weeks earlier "
    "because it ran out and reported that his pain and sleep were worse without it.  He "
    "denied gastrointestinal symptoms.  The provider requested eight more sessions of "
    "physical therapy and a refill of naproxen sodium.  Utilization review on 05/09/14 "
    "non-certified both requests.",
    "",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "The Final Determination was based on decisions for the disputed items/services set "
    "forth below:",
    "",
    "Physical therapy x 8 visits for the right shoulder:  Upheld",
    "",
    "Claims Administrator guideline: Decision based on MTUS ACOEM Page(s): 201-205, and "
    "Chronic Pain Treatment Guidelines Physical Medicine Page(s): 98-99.",
    "",
    "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Physical "
    "Medicine Page(s): 98-99.",
    "",
    "Decision rationale: The MTUS guidelines allow a fading course of 9 to 10 visits over "
    "eight weeks for myalgia and myositis and expect the patient to carry on with active "
    "therapy at home.  The claimant has already attended 12 supervised sessions, more "
    "than the guidelines support, and he is performing a home exercise program.  The "
    "records do not document a measurable functional gain from the earlier sessions, nor a "
    "new injury or a change in the examination that would call for more supervised "
    "therapy.  The medical necessity of eight additional visits has not been established.",
    "",
    "Naproxen sodium 550mg #60:  Overturned",
    "",
    "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment "
    "Guidelines NSAIDs Page(s): 67-68.",
    "",
    "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines "
    "Anti-inflammatory medications, NSAIDs Page(s): 22, 67-68.",
    "",
    "Decision rationale: The MTUS guidelines recommend NSAIDs at the lowest effective dose "
    "for the shortest period for moderate to severe pain, and note that anti-inflammatory "
    "medications are the traditional first line of treatment to reduce pain so that "
    "activity and functional restoration can resume.  The claimant has a documented "
    "rotator cuff tendinopathy, reported that his pain and sleep worsened when the "
    "medication ran out, tolerates it without gastrointestinal symptoms, and continues to "
    "work with restrictions while doing his home exercises.  A supply of 60 tablets, one "
    "twice daily for a month, is consistent with the guidelines.  The request for naproxen "
    "sodium 550mg #60 is medically necessary.",
]

WRAP = 95  # characters per line, about what a Letter page holds in 12 pt Times


def _wrap(paragraph: str) -> list[str]:
    """Greedy wrap at WRAP characters; double spaces inside a line are kept."""
    if not paragraph:
        return [" "]
    lines: list[str] = []
    line = ""
    for word, gap in re.findall(r"(\S+)( *)", paragraph):
        if line and len(line + word) > WRAP:
            lines.append(line.rstrip() + " ")
            line = ""
        line += word + gap
    lines.append(line.rstrip() + " ")
    return lines


def build_text() -> str:
    lines = [" "]
    for paragraph in TXT_PARAGRAPHS:
        lines.extend(_wrap(paragraph))
    lines.append(" ")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- main
def main(out_dir: Path = HERE) -> int:
    pdf = build_pdf()
    problems = layout_problems(pdf)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    (out_dir / PDF_NAME).write_bytes(pdf)
    txt = build_text()
    (out_dir / TXT_NAME).write_text(txt, encoding="utf-8", newline="\n")
    print(f"{PDF_NAME}: sha256 {hashlib.sha256(pdf).hexdigest()}")
    print(f"{TXT_NAME}: {len(txt)} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
