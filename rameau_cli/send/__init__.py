"""`rameau send`: test sends of built messages, for review before the real sending: the procedure
(procedure.py), each message's review copy (review.py) with its images attached (embed.py), and
SMTP (smtp.py)."""
