"""The project: rameau.yaml and its schema, an article's front matter, edition files, the
calendar, the history; parsed YAML kept between builds."""
