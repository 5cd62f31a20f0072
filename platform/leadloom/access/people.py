"""How people are named to other people: the full name, or masked for someone who may not
know who owns a record."""

from __future__ import annotations


def display_name(first: str | None, last: str | None, username: str) -> str:
    """张伟 for Chinese names (family name first, no space), else first and last name."""
    first, last = (first or "").strip(), (last or "").strip()
    if last and ord(last[0]) > 0x2E80:  # a CJK surname: family name first, no space
        return last + first
    return f"{first} {last}".strip() or username


def masked(name: str) -> str:
    """``张伟`` → ``张*``: enough to know whom to ask, not who it is."""
    return f"{name[0]}*" if name else "*"
