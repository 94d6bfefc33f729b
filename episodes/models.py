"""Parent-reported episodes and their attachments (filled in by the episodes issue)."""
