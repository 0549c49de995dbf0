"""Accounts: users, roles, departments, e-mail verification, own-data export and deletion."""
