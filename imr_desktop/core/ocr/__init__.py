"""Text recognition for scanned letters (pages that are images, without a text layer).

- ``tessdata``: where Tesseract's language data is, and what to say when it is missing;
- ``scan``: resolution, header table and cut lines read from a page's pixels;
- ``engine``: OCR of a page (or a piece of one) into born-digital-like ``PageChars``;
- ``fields``: case numbers and dates validated and repaired;
- ``job``: worker processes with progress and cancel;
- ``cache``: results kept by file sha256, so a recognised scan reopens with the same text.

The OCR text is stored with ``extractor_version`` = ``engine.OCR_VERSION`` ("ocr-…"),
which is how the UI and the exports tell it from born-digital text.
"""

from imr_desktop.core.ocr.engine import OCR_VERSION, OcrPage, is_ocr_version
from imr_desktop.core.ocr.tessdata import INSTALL_HELP, OcrUnavailable, find_tessdata

__all__ = [
    "INSTALL_HELP",
    "OCR_VERSION",
    "OcrPage",
    "OcrUnavailable",
    "find_tessdata",
    "is_ocr_version",
]
