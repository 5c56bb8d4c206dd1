"""The chat-style terminal interview (Textual): screens, widgets and the app that joins them."""
