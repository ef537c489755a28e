"""Developer scripts (run with `python -m scripts.<name>`); never imported by the app."""
