"""This app's routes in the JSON API (mounted by kanelbulle.api)."""

from ninja import Router

router = Router()
