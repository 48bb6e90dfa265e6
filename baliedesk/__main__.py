from baliedesk.cli import main

raise SystemExit(main())
