"""The read side: named SQL queries (one source for Datasette and Python) and typed query functions."""
