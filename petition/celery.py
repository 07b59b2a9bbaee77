import os

from celery import Celery, states
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")

app = Celery("petition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task's database connections live as a request's do (CONN_MAX_AGE,
# CONN_HEALTH_CHECKS). Celery's Django fixup closes them before and after
# every task instead (celery#9824), unless CELERY_DB_REUSE_MAX is set: then a
# busy worker started a PostgreSQL backend for every drain and fold, the
# largest share of its CPU beside sending. Eager tasks run inside their
# caller's request or transaction, whose connection is not theirs to close.
@task_prerun.connect
def renew_old_connections(task=None, **kwargs) -> None:
    if not task.request.is_eager:
        close_old_connections()


@task_postrun.connect
def close_connections_after_task(task=None, state=None, **kwargs) -> None:
    if task.request.is_eager:
        return
    if state == states.SUCCESS:
        close_old_connections()
    else:
        # A task that failed or was interrupted mid-query (a time limit, a
        # signal) may leave a connection Django still takes for usable.
        connections.close_all()
