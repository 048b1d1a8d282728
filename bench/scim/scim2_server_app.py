"""PyPI scim2-server as a WSGI app for gunicorn (one worker: its storage is in memory).

gunicorn -w 1 -b 127.0.0.1:PORT scim2_server_app:app   (env BENCH_TOKEN: the bearer token)
"""
import os
import secrets

from scim2_models import ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
from scim2_server.utils import (load_default_resource_types, load_default_schemas,
                                load_default_service_provider_config)

config = load_default_service_provider_config()
config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
provider = ScimProvider.from_discovery(load_default_schemas().values(),
                                       load_default_resource_types().values(), config=config)
try:
    service = ScimService(provider, secret=secrets.token_urlsafe(32))
except (ModuleNotFoundError, TypeError):
    service = None
app = BearerTokenApplication(InMemoryStorage(), provider, service=service,
                             bearer_tokens=[os.environ.get("BENCH_TOKEN", "bench")])
