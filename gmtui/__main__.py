from gmtui.cli import main

raise SystemExit(main())
