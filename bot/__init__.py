"""The Telegram side: aiogram runtime, routers, the outbox sender and the sandbox."""
