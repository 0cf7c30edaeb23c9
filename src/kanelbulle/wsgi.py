"""The WSGI entry point that `kanelbulle serve` hands to granian."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
application = get_wsgi_application()
