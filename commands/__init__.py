"""The `aduan` command modules; each imports only typer at module level so `--help` stays fast."""
