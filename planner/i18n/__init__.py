"""Every user-facing text, in Chinese and English, in one place."""
