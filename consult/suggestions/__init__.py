"""Open agenda: citizens suggest problems and needs that departments should take up.

The public API for other domains is in ``consult.suggestions.services``
(``department_suggestion_record(department_id)`` for department pages).
"""
