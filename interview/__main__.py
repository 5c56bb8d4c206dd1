"""`python -m interview` is `spine-interview`."""

from interview.cli import main

raise SystemExit(main())
