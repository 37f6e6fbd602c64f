"""Settings for the import benchmark's peer: the platform's own, plus django-import-export.

Only bench/bench_import.py uses this module, and only in the child process that runs the peer;
the platform itself never installs import_export.
"""

from shian.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]  # noqa: F405
