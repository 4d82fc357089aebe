"""``python -m simulator.synthetic --out-dir DIR``: write the synthetic example files."""

from simulator.synthetic.files import main

raise SystemExit(main())
