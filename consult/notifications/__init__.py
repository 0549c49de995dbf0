"""Follows, in-app notifications, notification e-mail preferences.

The public API for other domains is in ``consult.notifications.services``.
"""
