"""Channel collectors: each module turns one channel's API into `InboundMessage`s."""
