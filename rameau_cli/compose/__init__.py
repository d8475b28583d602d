"""Stage 4, composing: which articles go to which segment, and what each email says."""
