"""Paging for the lists that must stay small on a whole company's book (issue 15).

Every list page shows one page of rows read with LIMIT/OFFSET and counts the rest with one SQL
``COUNT``; nothing renders the whole book. The choice for bad parameters, the same on every page:

- a page number that is not a whole number, or below 1, falls back to page 1, and one past the end
  to the last page (as Django's ``Paginator.get_page``, which would open the last page for a
  negative number): a bookmark or a link kept while the book
  shrank still opens a page instead of an error;
- a filter value that is not one of the choices (a seller, team, stage or status the viewer may not
  pick, a malformed date) answers 400 with a message naming the filter: silently showing everything
  would look like an answer to the question asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

PER_PAGE = 25


@dataclass
class Paged:
    """One page of a list, with what its pager needs: the rows, the page, and the query string
    of the filters (without ``page``) so the pager's links keep them."""

    page: Page[Any]
    query: str

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)

    @property
    def total(self) -> int:
        return int(self.page.paginator.count)


def page_of(
    request: HttpRequest, rows: Any, per_page: int = PER_PAGE, *, param: str = "page", count: int | None = None
) -> Paged:
    """The requested page of ``rows`` (a queryset: one COUNT and one LIMIT/OFFSET query; no COUNT
    when the caller already knows ``count`` from its own aggregate)."""
    raw = (request.GET.get(param) or "").strip()
    number = int(raw) if raw.isdigit() else 1  # "abc", "-3", "" and "0" open page 1
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count  # type: ignore[misc]  # a cached_property, filled in beforehand
    page = paginator.page(max(1, min(number, paginator.num_pages)))
    return Paged(page, query_without(request.GET, param))


def query_without(params: QueryDict, *names: str) -> str:
    """The query string with ``names`` dropped and empty values left out (a pager link's base)."""
    q = params.copy()
    for name in names:
        q.pop(name, None)
    for key in [k for k, values in q.lists() if not any(values)]:
        q.pop(key)
    return q.urlencode()
