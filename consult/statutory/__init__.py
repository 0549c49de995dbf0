"""The statutory record: the documents the rules for public consultation expect, generated
from the consultation itself (the adoption statement, the participation report, the draft
as Word and PDF)."""
