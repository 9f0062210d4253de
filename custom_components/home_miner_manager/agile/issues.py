"""The strategy's repair issues: no price for now, a band's coin without a pool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..tariff.coordinator import ISSUE_PRICE_UNKNOWN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .price_source import PriceSource

ISSUE_MISSING_POOL: Final = "strategy_missing_pool"


def show_price_unknown(
    hass: HomeAssistant, prices: PriceSource, unknown: bool, action: str
) -> None:
    """Raise the issue saying why there is no price now (``unknown`` False: clear)."""
    cause = prices.unknown_cause() if unknown else None
    if cause is None:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_PRICE_UNKNOWN)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_PRICE_UNKNOWN,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=f"price_unknown_{cause}",
        translation_placeholders={
            "entity_id": prices.entity_id or "-",
            "region": prices.region,
            "error": prices.error_detail or "-",
            "action": action,
        },
    )


class MissingPoolIssue:
    """A band's coin has no enabled pool: raised while the strategy is on."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing raised yet."""
        self._hass = hass
        self.raised = False

    def check(self, missing: list[str], enabled: bool) -> None:
        """Raise (when on, or raised before) or clear the issue."""
        if missing and (enabled or self.raised):
            self.raise_for(missing)
        elif not missing:
            self.raised = False
            ir.async_delete_issue(self._hass, DOMAIN, ISSUE_MISSING_POOL)

    def raise_for(self, missing: list[str]) -> None:
        """Raise the issue naming the coins."""
        self.raised = True
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            ISSUE_MISSING_POOL,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_MISSING_POOL,
            translation_placeholders={"coins": ", ".join(missing)},
        )
