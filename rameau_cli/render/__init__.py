"""Rendering: markup, the theme (MJML to HTML), the text part, the MIME message."""
