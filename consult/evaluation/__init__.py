"""The evaluators' dashboard: scores per department, consultation and round, trends,
charts, CSV downloads and a printable report (read-only, evaluators and admins)."""
