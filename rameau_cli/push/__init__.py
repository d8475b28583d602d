"""`rameau push`: each built segment as a draft campaign in the emailing tool (base.py: what a
tool provides; client.py: HTTP; procedure.py: the push; one module per tool)."""
