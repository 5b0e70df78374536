"""``python -m fidelity`` runs the command line."""

from .cli import main

main(prog_name="fidelity")
