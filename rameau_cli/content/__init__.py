"""The content model: what an article says, as blocks (content/blocks.py) read from sanitized HTML
(content/markup.py, content/read_html.py), and the language's dates and typography. Below both
compose, which chooses what each email says, and render, which lays it out in the theme."""
