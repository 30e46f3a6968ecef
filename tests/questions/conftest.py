import pytest


@pytest.fixture(autouse=True)
def system_clock():
    """Each test starts on the real clock and leaves it there, whatever it fixed (ratings read the
    schedule's clock)."""
    from plugins.schedule import clock

    previous = clock.use(None)
    yield
    clock.use(previous)
