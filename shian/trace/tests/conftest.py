import pytest

from shian.trace import graphstore


@pytest.fixture(autouse=True)
def _fresh_graph():
    """Each test reads the lot graph from its own database (rolled back between tests)."""
    graphstore.reset()
    yield
    graphstore.reset()
