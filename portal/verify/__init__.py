"""/verify: anyone checks whether a document the portal issued is genuine, by its code or by its PDF."""
