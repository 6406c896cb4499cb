"""The mail corpus: hand-written mails in the shapes real clients and servers send, with expectations."""
