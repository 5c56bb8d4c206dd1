"""Screens of the terminal interview: the interview itself, review, recommendation and modals."""
