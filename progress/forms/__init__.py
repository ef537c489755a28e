"""The learner's forms, one module per concept: accounts, enrolling, settings, schedule changes, notes."""
