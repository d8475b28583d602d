"""The project: rameau.yaml and its schema, edition files, the calendar, the history."""
