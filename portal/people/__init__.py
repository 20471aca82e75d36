"""The persons the portal has met: a stable UUID for each, so personal codes never travel in URLs."""
