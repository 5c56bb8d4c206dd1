"""Self-contained widgets of the terminal interview: transcript, answer area, side panel, banner."""
