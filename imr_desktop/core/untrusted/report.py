"""What the probe process found out about a PDF: plain data, no pymupdf (the app side
imports this without loading MuPDF in its own thread)."""

from __future__ import annotations

from dataclasses import dataclass, field

PROBE_VERSION = 1

RectT = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Link:
    page: int
    rect: RectT  # displayed page coordinates, points
    url: str


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """The verdict on one file. ``refusal`` is the user's message when it must not open."""

    refusal: str | None = None
    needs_password: bool = False
    wrong_password: bool = False
    page_count: int = 0
    pages_checked: int = 0
    repaired: bool = False
    unreadable_pages: tuple[int, ...] = ()
    links: tuple[Link, ...] = ()
    ignored: tuple[str, ...] = ()  # active content present and never run/followed
    seconds: float = 0.0
    version: int = PROBE_VERSION
    # deterministic verdicts may be cached by sha256; timeouts and crashes may not
    cacheable: bool = True
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.refusal is None and not self.needs_password

    def warnings(self, name: str) -> list[str]:
        """One clear line per thing the user should know about an opened file."""
        out: list[str] = []
        if self.unreadable_pages:
            pages = ", ".join(str(p + 1) for p in self.unreadable_pages[:10])
            more = "…" if len(self.unreadable_pages) > 10 else ""
            out.append(
                f"{len(self.unreadable_pages)} of its {self.page_count} pages cannot be read "
                f"(page {pages}{more}); they show blank."
            )
        if self.pages_checked < self.page_count:
            out.append(
                f"{name} is very long: only its first {self.pages_checked} of "
                f"{self.page_count} pages were checked before opening."
            )
        if self.ignored:
            out.append(
                f"{name} contains {', '.join(self.ignored)}; IMR Desktop never runs or "
                "follows them."
            )
        return out
