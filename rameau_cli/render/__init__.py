"""Rendering: an Issue in the theme (Jinja, MJML to HTML, compiled templates kept between
builds), the text part, the MIME message. It reads what the build computed, images included."""
