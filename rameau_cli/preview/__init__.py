"""Previews: in the terminal, in a live web page, as screenshots."""
