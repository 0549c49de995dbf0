"""The workspace's rules: what waits (``waiting``), who works on what (``assignments``),
internal notes (``notes``) and reply templates (``templates``)."""
