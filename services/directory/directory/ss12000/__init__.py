"""SS 12000, the Swedish standard for school administrative data: reading it and what follows."""
