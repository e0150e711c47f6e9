"""Which links a letter may hand to the desktop: web and mail addresses, nothing else.

PDF link annotations can point at local files, other PDFs, programs (Launch) or
``javascript:`` URLs. IMR Desktop never follows those; http, https and mailto links open
only when the user clicks one and confirms (``ui/link_handler.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_URL = 2048


def is_safe_url(url: str) -> bool:
    """True for a well-formed http(s) URL with a host, or a mailto: address."""
    if not url or len(url) > MAX_URL or any(ord(c) < 32 or c == "\x7f" for c in url):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return False
    if scheme == "mailto":
        return "@" in parts.path
    return bool(parts.hostname)
