"""Images from disk: found next to the files that name them, made email-ready, published with the issue."""
