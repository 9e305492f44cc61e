"""`python -m ddas` runs the command line."""

from ddas.cli import main

main()
