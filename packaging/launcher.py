"""Entry point of the frozen app (PyInstaller runs this file as __main__)."""

import multiprocessing

from imr_desktop.cli import main

if __name__ == "__main__":
    # worker processes of a frozen app re-run this executable: let them do their job
    multiprocessing.freeze_support()
    raise SystemExit(main())
