"""The statistics' rules, pure: facts in, figures out; no I/O, the time passed in."""
