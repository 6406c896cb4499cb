"""Local fake API servers speaking each channel's documented wire format, on 127.0.0.1."""
