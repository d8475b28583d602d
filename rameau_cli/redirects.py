"""A urllib opener that follows no redirect, for `rameau push` and `rameau check --links`: a 3xx
comes back as an HTTPError, for the caller to follow by hand (each hop seen) or to refuse."""

from __future__ import annotations

import urllib.request
from functools import lru_cache


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object) -> None:
        return None


@lru_cache(maxsize=1)
def no_redirect_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects())
