"""What the API's handlers share: paging parameters and store errors turned into HTTP ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Annotated

from fastapi import Depends, Query
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.store.catalog import Catalog
from labwarden.web.auth import SAFE_METHODS
from labwarden.web.errors import ApiError
from labwarden.web.state import server
from labwarden.web.views.paging import MAX_LIMIT, Page


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> Page:
    """The ``limit`` and ``offset`` query parameters."""
    return Page(limit, offset)


Paging = Annotated[Page, Depends(paging)]


@contextmanager
def catalog_for(request: Request, missing: str | None = None) -> Iterator[Catalog]:
    """Borrow a catalog connection; an :class:`InputError` inside becomes 404 when
    ``missing`` names what was looked up, else 400.

    A request that only reads (GET, HEAD) reads one committed state of the catalog, so that a
    list and its total, or an alert and its notes, never mix the states before and after a
    concurrent scan's or triage's commit.
    """
    with server(request).pool.catalog() as catalog:
        reading = catalog.snapshot() if request.method in SAFE_METHODS else nullcontext()
        try:
            with reading:
                yield catalog
        except InputError as exc:
            raise ApiError(404 if missing else 400, exc.message) from exc
