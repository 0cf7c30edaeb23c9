"""The people every permission test is written against.

Anna and Bertil sell in team North, Maria manages North, Adam is the admin, and Olle sells in
team South: he should see nothing of North's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

from kanelbulle.accounts.models import Role, User

PASSWORD = "kanelbulle-test-pw-1"


def password_hash() -> str:
    """One hash of PASSWORD per process and hasher (Argon2 unless a test module switched to a
    fast one): hashing costs ~0.5 s each on a busy box."""
    return _hash_with(settings.PASSWORD_HASHERS[0])


@cache
def _hash_with(hasher_path: str) -> str:
    return make_password(PASSWORD)


@dataclass
class Personas:
    seller: User
    other_seller: User
    manager: User
    admin: User
    outsider: User


def make_personas() -> Personas:
    def make(username: str, role: str, team: str, name: str) -> User:
        user = User(
            username=username,
            role=role,
            team=team,
            name=name,
            home_city="Stockholm",
            home_country="SE",
            home_lat=59.3293,
            home_lon=18.0686,
        )
        user.password = password_hash()
        user.save()
        return user

    return Personas(
        seller=make("anna", Role.SELLER, "north", "Anna Berg"),
        other_seller=make("bertil", Role.SELLER, "north", "Bertil Ek"),
        manager=make("maria", Role.MANAGER, "north", "Maria Lind"),
        admin=make("adam", Role.ADMIN, "", "Adam Admin"),
        outsider=make("olle", Role.SELLER, "south", "Olle Syd"),
    )


def logged_in(user: User) -> Client:
    """A test client with ``user``'s session (no password round)."""
    client = Client()
    client.force_login(user)
    return client
