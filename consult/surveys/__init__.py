"""Satisfaction surveys: settings, custom questions, answers and their counters."""
