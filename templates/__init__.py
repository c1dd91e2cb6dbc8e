"""The built-in email templates (the *.txt files beside this one).

This file makes the folder the package ``sheets_sync.templates`` (mapped in pyproject.toml), so
the templates are installed inside the package and read with importlib.resources, in an editable
install as from a wheel. A team copying templates to change them needs only the .txt files.
"""
