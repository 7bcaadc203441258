"""The municipality's units, groups and teachers, imported from SS 12000 or CSV."""
