"""The release a kept answer belongs to is a digest of the service's own files (coverage.middleware.cachekey): a
cache shared across a rolling deploy (Redis) never gives one release's answer for another's."""

from coverage.middleware.cachekey import PROJECT, release_files


def test_the_release_is_made_of_the_services_own_files():
    files = {path.relative_to(PROJECT).as_posix() for path in release_files()}

    assert {"adminduk/settings.py", "coverage/middleware/cachekey.py", "coverage/api/scope.py"} <= files
    assert any(name.startswith("coverage/migrations/") for name in files)
    assert not any("__pycache__" in name for name in files)
