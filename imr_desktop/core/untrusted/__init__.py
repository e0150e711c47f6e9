"""Opening PDFs from outside safely: a probe process decides before the app parses.

- ``probe``: what the probe process checks (runs under memory limits, can be killed);
- ``report``: its answer, plain data;
- ``gate``: the app side (pre-started process, timeout, cache by sha256);
- ``links``: which link targets may ever be handed to the desktop (http/https/mailto).

pymupdf never runs PDF JavaScript (the app never enables it) and nothing in the app
follows Launch actions or file links; see README "Untrusted PDFs".
"""
