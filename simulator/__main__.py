"""``python -m simulator`` runs the cssim command line."""

from simulator.cli import main

main()
