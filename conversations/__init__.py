"""Platform-neutral guided conversations, the programme timeline and i18n. Never imports aiogram."""
