"""Composing: which articles go to which segment, and what each email says."""
