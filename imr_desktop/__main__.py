from imr_desktop.cli import main

raise SystemExit(main())
