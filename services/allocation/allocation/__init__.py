"""Decides every booking request and shares scarce seats out fairly."""
