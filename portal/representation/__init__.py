"""Acting for someone else: register relations (parents, guardians) and natural-person mandates."""
