"""Which service takes in each kind of message a node receives."""

from __future__ import annotations

from collections.abc import Mapping

from fraudlink.cases import referral
from fraudlink.exchange.mailroom import Handler
from fraudlink.freeze import messages, service

HANDLERS: Mapping[str, Handler] = {
    referral.KIND: referral.take_referral,
    messages.REQUEST: service.take_request,
    messages.CONFIRMATION: service.take_confirmation,
    messages.LIFT: service.take_lift,
    messages.RELEASE: service.take_release,
}
