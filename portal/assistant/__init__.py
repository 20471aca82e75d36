"""VPVKAC assistants: open an identified client, work in the client's name, close the client."""
