"""The officials' workspace (工作台): one page with everything that waits for a
department, team assignment of opinions, internal notes and reply templates.

It sits on top of the domains whose work it gathers (questions, triage, responses,
follow-up actions, suggestions) and only reads them; the actions stay on their own pages.
"""
