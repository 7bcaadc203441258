"""`kulturbro faults`: faults injected into the whole stack under load, and what each one cost."""
