"""Every Celery task of ours runs under a soft and a hard time limit (issue 8: a task held a worker for 73 s).

The soft limit lets a task stop cleanly (SoftTimeLimitExceeded); the hard one kills it. A task added
without its own limits fails here, even though the settings' default would catch it at run time.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from outstanding.celery import app

OUR_APPS = ("outstanding.", "invoices.", "reminders.", "collection.", "portal.")


def our_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}


def test_celery_finds_our_tasks() -> None:
    assert {"reminders.tasks.letter_batch_create_organization", "outstanding.tasks.invitation_send"} <= set(our_tasks())


@pytest.mark.parametrize("name", sorted(our_tasks()))
def test_every_task_has_a_soft_limit_before_its_hard_limit(name: str) -> None:
    task = our_tasks()[name]
    soft, hard = task.soft_time_limit, task.time_limit  # type: ignore[attr-defined]
    assert soft and hard, f"{name} needs soft_time_limit= and time_limit= in its @shared_task"
    assert 0 < soft < hard


def test_every_scheduled_task_exists_and_is_bounded() -> None:
    tasks = our_tasks()
    for entry in app.conf.beat_schedule.values():
        assert tasks[entry["task"]].time_limit  # type: ignore[attr-defined]


def test_a_task_without_limits_of_its_own_gets_a_safe_default() -> None:
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT <= 10 * 60
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (
        settings.CELERY_TASK_SOFT_TIME_LIMIT,
        settings.CELERY_TASK_TIME_LIMIT,
    )


def test_sending_one_message_is_bounded_far_below_a_print_batch() -> None:
    tasks = our_tasks()
    send = tasks["reminders.tasks.reminder_send_task"]
    batch = tasks["reminders.tasks.letter_batch_create_organization"]
    assert send.time_limit <= 120 < batch.soft_time_limit  # type: ignore[attr-defined]
