import json
import os
import socket
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from redis import Redis

from campaigns.models import Campaign
from signatures import fold, services
from tests.factories import confirm_token, make_campaign, make_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    with mock.patch("signatures.services.enqueue_now", return_value=True) as enqueue_now:
        yield enqueue_now


def test_it_enqueues_one_fold_while_one_is_already_queued(enqueued):
    campaign = make_campaign()

    assert services.schedule_fold(campaign.pk) is True
    assert services.schedule_fold(campaign.pk) is False
    assert services.schedule_fold(campaign.pk) is False

    assert enqueued.call_count == 1


def test_it_keeps_campaigns_apart(enqueued):
    first, second = make_campaign(), make_campaign()

    services.schedule_fold(first.pk)
    services.schedule_fold(second.pk)

    assert [call.args[1] for call in enqueued.call_args_list] == [first.pk, second.pk]


def test_a_starting_fold_lets_the_next_confirmation_enqueue_again(enqueued):
    from signatures.tasks import fold_counts

    campaign = make_campaign()
    services.schedule_fold(campaign.pk)

    fold_counts(campaign.pk)  # the queued fold runs
    assert services.schedule_fold(campaign.pk) is True

    assert enqueued.call_count == 2


def test_a_fold_lost_by_the_broker_blocks_enqueueing_only_briefly(enqueued):
    campaign = make_campaign()
    services.schedule_fold(campaign.pk)

    redis = Redis.from_url(os.environ["REDIS_URL"])
    assert 0 < redis.ttl(cache.make_and_validate_key(fold.fold_queued_key(campaign.pk))) <= services.FOLD_QUEUED_TTL


def test_the_queued_fold_starts_after_the_gather_window_so_the_confirmations_of_that_moment_share_it(
    eager_celery, settings
):
    eager_celery.conf.task_always_eager = False
    campaign = make_campaign()
    before = timezone.now()

    assert services.schedule_fold(campaign.pk) is True
    assert services.schedule_fold(campaign.pk) is False

    broker = Redis.from_url(settings.CELERY_BROKER_URL)
    published = [json.loads(raw)["headers"] for raw in broker.lrange("celery", 0, -1)]
    folds = [headers for headers in published if headers["task"] == "signatures.tasks.fold_counts"]
    assert len(folds) == 1
    assert datetime.fromisoformat(folds[0]["eta"]) >= before + timedelta(seconds=services.FOLD_GATHER_SECONDS)


def test_it_enqueues_a_fold_when_the_cache_is_down(enqueued, settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{dead_port}/1",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    campaign = make_campaign()

    assert services.schedule_fold(campaign.pk) is True
    assert services.schedule_fold(campaign.pk) is True

    assert enqueued.call_count == 2
    assert "cache unreachable" in caplog.text


def test_a_confirmation_folds_once_its_transaction_commits(django_capture_on_commit_callbacks):
    campaign = make_campaign()
    signature = make_signature(campaign)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.confirm(signature.pk, confirm_token(signature))
        assert Campaign.objects.get(pk=campaign.pk).signature_count == 0

    assert len(callbacks) == 1
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 1
    assert cache.get(fold.fold_queued_key(campaign.pk)) is None
