"""The analyst's workbench: a JSON API (FastAPI, OpenAPI schema) and a page served by it.

``tradetalks serve`` starts it on 127.0.0.1. :func:`create_app` builds the app over a
workspace folder (the only place scenario files are read from or written to) and a run
store. The API reuses the library (scenario loading, ``prepare_game``/``solve_game``, the
run store, ``monitor.assess``, the casebook); a run is the command line's own
``tradetalks run`` in a child process. The page works offline: plotly.js is served from
the plotly package.
"""

from tradetalks.web._app import create_app
from tradetalks.web._service import Limits

__all__ = ["Limits", "create_app"]
