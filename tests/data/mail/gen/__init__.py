"""The generator of the mail corpus; run `python -m tests.data.mail.gen` after changing a case."""
