"""The password policy: one pure rule for every way a password is set (CLI, admin screens,
password resets), so a guessable password cannot slip in through a side door."""

from __future__ import annotations

from leadloom.metadata.messages import Message

MIN_LENGTH = 10

TOO_SHORT = Message("The password needs at least %(min)s characters", min=MIN_LENGTH)
ONE_KIND = Message("The password must mix at least two of: letters, digits, symbols")
IS_USERNAME = Message("The password must not be the username")
TOO_COMMON = Message("The password is too common; choose another")

#: Passwords of 10+ characters and two kinds that still top the leaked-password lists.
COMMON = frozenset({
    "password12", "password123", "password1234", "password!1", "passw0rd12", "p@ssw0rd12",
    "p@ssword123", "qwerty1234", "qwerty12345", "qwerty123456", "qwertyuiop1", "1qaz2wsx3edc",
    "1q2w3e4r5t", "1q2w3e4r5t6y", "zaq12wsxcde3", "abc1234567", "abcd123456", "abc123456789",
    "a123456789", "aa123456789", "a1234567890", "asdf123456", "asdfghjkl1", "qwe1234567",
    "qweasdzxc1", "qweasdzxc123", "1234567890a", "123456789a", "123456abcd", "admin12345",
    "admin123456", "administrator1", "welcome123", "welcome1234", "changeme123", "letmein123",
    "iloveyou12", "iloveyou123", "woaini1314", "woaini5201314", "5201314abc", "zxcvbnm123",
    "1234qwer!@#$", "test123456", "demo123456", "leadloom123",
})


def password_problems(password: str, username: str | None = None) -> tuple[Message, ...]:
    """Every rule ``password`` breaks, each a message naming the rule (empty: acceptable).

    :param password: the new password, as typed.
    :param username: the account it is for, when known (the password may not equal it).
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    kinds = (any(c.isalpha() for c in password), any(c.isdigit() for c in password),
             any(not c.isalnum() for c in password))
    if sum(kinds) < 2:
        problems.append(ONE_KIND)
    if username and password.casefold() == username.strip().casefold():
        problems.append(IS_USERNAME)
    if password.casefold() in COMMON:
        problems.append(TOO_COMMON)
    return tuple(problems)
