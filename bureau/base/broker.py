"""
The Redis broker transport, with kombu's crash on a lost connection turned into the connection
error it is.

With celery 5.7 / kombu 5.7 / redis 8.1, a worker whose Redis goes away while it waits for
messages (BRPOP) and runs a task exits: "Restoring 1 unacknowledged message(s)" then
"CRITICAL Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')".
On the connection error the consumer first `collect()`s the connection, which detaches the
transport (`transport.client = None`) but leaves the connection's default channel set; it then
closes the connection, which closes that channel again; the channel tries to restore the unacked
message through a new Redis client, and building that client reads `transport.client.hostname`.
An AttributeError is not a connection error, so nothing on the way ignores it and the worker dies.

Here a channel of a detached transport raises redis' ConnectionError instead: the consumer
ignores it and reconnects. The unacked message is not lost: it stays in Redis' unacked hash and is
restored once its visibility timeout passes. settings.CELERY_BROKER_TRANSPORT selects this class
when REDIS_URL is set; tests/bureau/test_worker_survives_redis.py stops Redis under a running task.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection was closed (lost); the consumer reconnects")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
