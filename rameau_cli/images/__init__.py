"""Images from disk: found next to the files that name them, made email-ready (before rendering,
at each width the theme shows them), published with the issue."""
