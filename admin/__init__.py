"""Coordinator commands, matching and reports. Calls conversations/ and storage/; never aiogram."""
