"""Rule-based treatment categories of a disputed item (DWC's grouping, see domain.md).

The first matching rule wins; the order settles the overlaps that occur in real requests:
"Associated surgical service: EKG" is surgery, not a test; "Post operative physical
therapy" is physical medicine, not surgery; "Physical therapy evaluation" is physical
medicine, "Neurosurgeon evaluation" evaluation & management; "Urine drug testing" a test,
not a drug; "Trigger points impedance imaging" a test, not an injection; "Pulsed
ultrasound 2 times a week" a therapy, not imaging; "TENS unit" equipment.

Bump ``CLASSIFIER_VERSION`` when the rules change: stored categories are then recomputed.
"""

from __future__ import annotations

import functools
import re

CLASSIFIER_VERSION = "dwc-rules/1"

PHARMACEUTICALS = "pharmaceuticals"
PHYSICAL_MEDICINE = "physical_medicine"
DIAGNOSTICS = "diagnostics"
DME = "dme"
INJECTIONS = "injections"
SURGERY = "surgery"
EVALUATION = "evaluation_management"
BEHAVIORAL = "behavioral_health"
PROGRAMS = "programs"
HOME_HEALTH = "home_health"
OTHER = "other"

# key -> the name shown to people, in DWC's order
CATEGORIES: dict[str, str] = {
    PHARMACEUTICALS: "Pharmaceuticals",
    PHYSICAL_MEDICINE: "Physical medicine",
    DIAGNOSTICS: "Diagnostic imaging/testing",
    DME: "DME",
    INJECTIONS: "Injections",
    SURGERY: "Surgery",
    EVALUATION: "Evaluation & management",
    BEHAVIORAL: "Behavioral health",
    PROGRAMS: "Programs",
    HOME_HEALTH: "Home health",
    OTHER: "Other",
}

_DRUGS = (
    "acetaminophen|ambien|amitriptyline|anaprox|baclofen|bupivacaine|butrans|capsaicin|"
    "carisoprodol|celebrex|celecoxib|cialis|cyclobenzaprine|cyclophene|cymbalta|"
    "dexamethasone|dextromethorphan|diazepam|diclofenac|dilaudid|duloxetine|"
    "esomeprazole|etodolac|fenoprofen|fentanyl|flexeril|flurbiprofen|gabapentin|"
    "hydrocodone|hydromorphone|ibuprofen|ketophene|ketoprofen|lansoprazole|lidocaine|"
    "lidoderm|lorzone|lunesta|lyrica|meloxicam|menthol|methadone|methocarbamol|"
    "metaxalone|misoprostol|mobic|morphine|motrin|nabumetone|naproxen|neurontin|"
    "nexium|norco|norflex|nortriptyline|nucynta|omeprazole|ondansetron|orphenadrine|"
    "oxycodone|oxycontin|pantoprazole|pepcid|percocet|prevacid|prilosec|protonix|"
    "ranitidine|robaxin|salonpas|sertraline|skelaxin|soma|synapryn|tapentadol|"
    "terocin|tizanidine|topiramate|tramadol|trazodone|trezix|ultracet|ultram|valium|"
    "viagra|vicodin|voltaren|xanax|zanaflex|zofran|zolpidem"
)

_RULES: tuple[tuple[str, str], ...] = (
    # services attached to an operation count with the surgery (DWC's grouping)
    (
        SURGERY,
        r"associated surgical service|assistant surgeon|surgical assist|\bpa assist|"
        r"\bpre-?op(erative)?\b|medical clearance",
    ),
    (
        PROGRAMS,
        r"functional restoration|\bfrp\b|work (hardening|conditioning)|rehabilitation unit|"
        r"inpatient rehab|detox|weight loss|gym|pain (management )?program|"
        r"\bhelp program|(inter|multi)disciplinary",
    ),
    (
        HOME_HEALTH,
        r"home (health|aide|care|nurs|attendant)|caregiver|nurse|in-home|attendant care|"
        r"housekeeping|home assistance",
    ),
    (
        BEHAVIORAL,
        r"psych|cognitive behavio|\bcbt\b|counsel|biofeedback|behavioral|mental health|"
        r"hypnotherapy|relaxation training",
    ),
    # an exam that is an office visit, before physical medicine's "chiropractor"
    (EVALUATION, r"\bre-?exam|initial exam|physical exam|office visit|follow[- ]?up visit"),
    (
        DIAGNOSTICS,
        r"\bmri\b|\bmr arthrogram|magnetic resonance|\bct\b|computed tomography|x-?rays?\b|"
        r"radiograph|\bemg\b|\bncv\b|\bncs\b|nerve conduction|electromyograph|bone scan|"
        r"\bscan\b|\bssep\b|electroencephalogram|\beeg\b|electrocardiogram|\bekg\b|\becg\b|"
        r"\blabs?\b|laboratory|blood|urine|urinalysis|drug (test|screen)|\btest(s|ing)?\b|"
        r"arthrogram|myelogram|discogram|\bdexa\b|sleep study|functional capacity|\bfce\b|"
        r"imaging|diagnostic ultrasound|ultrasound (of|to) the|genetic|echocardiogram|"
        r"doppler|ultrasound-guided",
    ),
    (
        INJECTIONS,
        r"inject|epidural|\besi\b|facet|medial branch|nerve block|\bblocks?\b|"
        r"radiofrequency|rhizotomy|ablation|trigger point|\bprp\b|platelet|botox|cortisone|"
        r"viscosupplement|synvisc|hyaluron|neurolytic|neuroplasty",
    ),
    (
        PHYSICAL_MEDICINE,
        r"physical therap|\bpt\b|physiotherap|chiro|acupuncture|occupational therap|\bot\b|"
        r"manipulation|massage|myofascial|traction|spinolator|infrared|\bheat\b|\bice\b|"
        r"stimulation|shockwave|\beswt\b|therapeutic exercise|manual therapy|hand therapy|"
        r"aquatic|modalities|ultrasound|mobilization|kinesio",
    ),
    (PHARMACEUTICALS, rf"\b(?:{_DRUGS})"),
    (
        PHARMACEUTICALS,
        r"\d\s*(mg|mcg|ml|grams?|g|%)\b|\bcream\b|\bointments?\b|\bgel\b|\bpatch(es)?\b|"
        r"tablet|capsule|\brefills?\b|medication|compound|suspension|\bsupply of\b|"
        r"\bby mouth\b|orally|topical",
    ),
    (
        DME,
        r"\bunit\b|brace|support|pillow|splint|ortho(tic|sis|ses)|insole|\bcane\b|crutch|"
        r"walker|wheelchair|scooter|\bbed\b|mattress|hearing aid|glove|wipes|\btens\b|"
        r"h-wave|interferential|cold therapy|vascutherm|sling|wraps?\b|\bpads?\b|"
        r"equipment|\bdme\b|collar|cushion|commode|shower chair|grab bar|rental|purchase",
    ),
    (
        SURGERY,
        r"\bsurg(ery|ical)\b|arthroscop|ectomy\b|otomy\b|plasty\b|fusion|repair|"
        r"reconstruction|decompression|(?<!myofascial )release|replacement|\borif\b|"
        r"fixation|excision|debridement|amputation|hardware removal|operative|"
        r"manipulation under anesthesia|implant",
    ),
    (
        EVALUATION,
        r"evaluat|\beval\b|consult|referral|\bvisits?\b|\bexam\b|assessment|"
        r"second opinion|specialist|\btoc\b|transfer of care",
    ),
    (PHYSICAL_MEDICINE, r"therap|treatments?\b|sessions?\b"),
)


@functools.cache
def _compiled() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], ...]:
    """The rules compiled with ``re.IGNORECASE``, and without it (for lowercased ASCII).

    Compiled on first use: the GUI imports this module for the category names only, and
    compiling every rule cost ~0.1 s of start-up. No rule spells an upper-case letter,
    so on ASCII text, lowercasing it and matching case-sensitively finds exactly what
    ``re.IGNORECASE`` finds (which also folds a few non-ASCII letters, hence both), at
    half the cost: every item of every imported letter is classified.
    """
    folded = tuple((category, re.compile(pattern, re.I)) for category, pattern in _RULES)
    lower = tuple((category, re.compile(pattern)) for category, pattern in _RULES)
    return folded, lower


def _rules(text: str) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], str]:
    folded, lower = _compiled()
    return (lower, text.lower()) if text.isascii() else (folded, text)


def classify(request: str | None, heading: str | None = None) -> str:
    """The category key of one disputed item, from its request (else its heading).

    The heading is read first for "Associated surgical service:", which the request may
    not repeat; the rest of a heading can be a whole modified-request sentence ("… followed
    by re-examination was the original request …") and would mislead. ``OTHER`` when no
    rule matches.
    """
    if heading:
        rules, text = _rules(heading)
        if rules[0][1].search(text):
            return rules[0][0]
    rules, text = _rules(request or heading or "")
    for category, pattern in rules:
        if pattern.search(text):
            return category
    return OTHER


def label(category: str) -> str:
    """The name shown to people for a category key (the key itself if unknown)."""
    return CATEGORIES.get(category, category)
