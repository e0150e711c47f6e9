"""IMR Desktop: read, annotate and export IMR Final Determination letters."""

__version__ = "0.1.0"
APP_NAME = "IMR Desktop"
APP_ID = "imr-desktop"
# Reverse-DNS id of the desktop entry, AppStream component and icon (freedesktop rules).
DESKTOP_ID = "org.imrdesktop.IMRDesktop"
