"""Per-event settings of the QR plugin (``events.<slug>.plugins.qr``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from core.contributions import PluginConfig

PLUGIN = "qr"
KEY_MIN = 16


class QrConfig(PluginConfig):
    keys: dict[str, str] = Field(
        default_factory=dict,
        description="signing keys of this event's passes, id → secret (≥ 16 characters). Rotation: add a "
                    "new key, point sign_with at it and keep the old ones — passes they signed still verify. "
                    "Empty: the plugin generates a random key per event and keeps it in the database")
    sign_with: str | None = Field(default=None, description="the id in `keys` new passes are signed with")
    door_checkin: bool = Field(
        default=False,
        description="check-in at a workshop's door too: the desk picks one of today's workshops and each "
                    "scanned pass marks its holder as came (needs the workshops plugin)")

    @model_validator(mode="after")
    def _keys_are_usable(self) -> QrConfig:
        for kid, secret in self.keys.items():
            if not kid.isalnum() or len(kid) > 16:
                raise ValueError(f"key id {kid!r}: use up to 16 letters or digits")
            if kid == "auto":  # the id of the key the plugin generates when the config has none
                raise ValueError("key id 'auto' is reserved; call yours e.g. 'k1'")
            if len(secret) < KEY_MIN:
                raise ValueError(f"key {kid!r} is too short: use at least {KEY_MIN} random characters")
        if self.keys and self.sign_with not in self.keys:
            raise ValueError(f"sign_with must name one of the keys ({', '.join(self.keys)}), got {self.sign_with!r}")
        if not self.keys and self.sign_with is not None:
            raise ValueError("sign_with is set but there are no keys")
        return self
