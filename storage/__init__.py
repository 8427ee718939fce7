"""Persistence: sqlmodel tables, queries and migrations. Never imports aiogram."""
