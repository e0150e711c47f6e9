"""IMR Desktop: read, annotate and export IMR Final Determination letters."""

__version__ = "0.1.0"
APP_NAME = "IMR Desktop"
APP_ID = "imr-desktop"
