"""The provider's HTTP service: the DDAS koppelvlak (`POST <base>/gegevens`) for SHV and VS, signed and paged.

    settings = load_settings(Path("provider.yaml"))
    app = create_app(settings, Store.open(settings.store))

`ddas serve` (see `commands.serve_command`) runs it under uvicorn, with TLS when configured.
"""

from __future__ import annotations

from ddas.provider.app.app import TOKEN_PATH, create_app
from ddas.provider.app.settings import ProviderSettings, SettingsError, load_settings

__all__ = ["TOKEN_PATH", "ProviderSettings", "SettingsError", "create_app", "load_settings"]
