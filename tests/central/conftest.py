import pytest

from design_bridge.demand.retail import load_transactions, subsample_customers


@pytest.fixture(scope="session")
def retail_sample():
    """400 real UCI customers with all their purchases (keeps the suite quick)."""
    return subsample_customers(load_transactions(), 400, seed=1)
