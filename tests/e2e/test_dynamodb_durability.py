"""DynamoDB data survives restarts: tables (indexes, streams, TTL, tags),
items and stream records after a clean restart, and every acknowledged write
after `kill -9` of the server in the middle of a stream of writes
(each test runs its own servers on their own data directories)."""

from __future__ import annotations

import signal
import threading
import time


from conftest import ddb_client, ddb_create_table, ddb_read_stream, ddb_streams_client, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


def scan_all(ddb, table, **kw):
    items, kw2 = [], dict(kw)
    while True:
        page = ddb.scan(TableName=table, **kw2)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kw2["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def by_key(items, *names):
    return {tuple(i[n]["S"] if "S" in i[n] else i[n]["N"] for n in names): i for i in items}


def sortsets(value):
    if isinstance(value, dict):
        return {k: (sorted(v) if k in ("SS", "NS", "BS") else sortsets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [sortsets(v) for v in value]
    return value


def test_everything_survives_a_restart(server_factory):
    first = server_factory.start()
    ddb = ddb_client(first)
    streams = ddb_streams_client(first)
    name = unique("persist")
    desc = ddb_create_table(
        ddb, name, ("pk", "S"), ("sk", "N"),
        gsis={"byEmail": (("email", "S"), None, {"ProjectionType": "KEYS_ONLY"})},
        lsis={"byScore": (("score", "N"), {"ProjectionType": "ALL"})},
        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        Tags=[{"Key": "team", "Value": "data"}])
    stream_arn = desc["LatestStreamArn"]
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    gone = unique("gone")
    ddb_create_table(ddb, gone)
    ddb.delete_table(TableName=gone)
    for i in range(40):
        ddb.put_item(TableName=name, Item={
            "pk": S(f"p{i % 4}"), "sk": N(i), "score": N(100 - i), "b": {"B": bytes([i, 255 - i])},
            "m": {"M": {"l": {"L": [N(i), {"SS": ["a", f"s{i}"]}, {"NULL": True}]}}}, "flag": {"BOOL": i % 2 == 0},
            **({"email": S(f"u{i % 3}@x")} if i % 5 == 0 else {})})
    for i in range(0, 40, 7):
        ddb.update_item(TableName=name, Key={"pk": S(f"p{i % 4}"), "sk": N(i)}, UpdateExpression="ADD hits :one",
                        ExpressionAttributeValues={":one": N(1)})
    for i in range(0, 40, 9):
        ddb.delete_item(TableName=name, Key={"pk": S(f"p{i % 4}"), "sk": N(i)})
    before_items = by_key(scan_all(ddb, name), "pk", "sk")
    before_table = ddb.describe_table(TableName=name)["Table"]
    before_records = ddb_read_stream(streams, stream_arn)
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=it, Limit=1000)
    assert len(page["Records"]) == len(before_records) == 40 + 6 + 5
    open_iterator = page["NextShardIterator"]
    assert first.stop() == 0

    second = server_factory.start(data_dir=first.data_dir)
    ddb = ddb_client(second)
    streams = ddb_streams_client(second)
    table = ddb.describe_table(TableName=name)["Table"]
    for field in ("TableArn", "TableId", "KeySchema", "AttributeDefinitions", "LatestStreamArn", "LatestStreamLabel",
                  "StreamSpecification", "CreationDateTime", "LocalSecondaryIndexes"):
        assert table.get(field) == before_table.get(field), field
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["byEmail"]
    assert table["TableStatus"] == "ACTIVE"
    names = ddb.list_tables()["TableNames"]
    assert name in names and gone not in names
    after_items = by_key(scan_all(ddb, name), "pk", "sk")
    assert len(after_items) == len(before_items) == 35
    assert sortsets(after_items) == sortsets(before_items)
    # the indexes still answer
    r = ddb.query(TableName=name, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("u0@x")})
    assert sorted(int(i["sk"]["N"]) for i in r["Items"]) == [15, 30]  # 0 and 45 are gone / absent
    r = ddb.query(TableName=name, IndexName="byScore", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("p1")})
    assert [int(i["sk"]["N"]) for i in r["Items"]] == [37, 33, 29, 25, 21, 17, 13, 5, 1]  # 9 deleted
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "data"}]
    # the stream kept its records, continues after them, and an iterator from before still works
    after_records = ddb_read_stream(streams, stream_arn)
    assert after_records == before_records
    ddb.put_item(TableName=name, Item={"pk": S("new"), "sk": N(1)})
    page = streams.get_records(ShardIterator=open_iterator)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in page["Records"]] == [("INSERT", "new")]
    assert int(page["Records"][0]["dynamodb"]["SequenceNumber"]) > int(before_records[-1]["dynamodb"]["SequenceNumber"])


class Writer(threading.Thread):
    """Writes in a loop until the server goes away, recording what was acknowledged."""

    def __init__(self, server, table, kind, stop, prefix):
        super().__init__(daemon=True)
        self.prefix = prefix
        self.ddb = ddb_client(server, read_timeout=10)
        self.table, self.kind, self.stop_event = table, kind, stop
        self.acked: list[str] = []
        self.adds = 0
        self.error = None

    def run(self):
        i = 0
        try:
            while not self.stop_event.is_set():
                key = f"{self.prefix}-{i:06d}"
                if self.kind == "put":
                    self.ddb.put_item(TableName=self.table, Item={"pk": S(key), "n": N(i), "pad": S("x" * 200)})
                    self.acked.append(key)
                elif self.kind == "batch":
                    keys = [f"{key}-{j}" for j in range(10)]
                    r = self.ddb.batch_write_item(RequestItems={self.table: [
                        {"PutRequest": {"Item": {"pk": S(k), "n": N(i)}}} for k in keys]})
                    assert r["UnprocessedItems"] == {}
                    self.acked += keys
                elif self.kind == "txn":
                    keys = [f"{key}-{j}" for j in range(3)]
                    self.ddb.transact_write_items(TransactItems=[
                        {"Put": {"TableName": self.table, "Item": {"pk": S(k), "n": N(i)}}} for k in keys])
                    self.acked += keys
                else:  # counter
                    self.ddb.update_item(TableName=self.table, Key={"pk": S("counter")},
                                         UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": N(1)})
                    self.adds += 1
                i += 1
        except Exception as e:  # the server was killed
            self.error = e


def test_acknowledged_writes_survive_kill_9(server_factory):
    srv = server_factory.start()
    ddb = ddb_client(srv)
    table = unique("crash")
    desc = ddb_create_table(ddb, table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    stream_arn = desc["LatestStreamArn"]
    stop = threading.Event()
    writers = [Writer(srv, table, kind, stop, f"{kind}{n}")
               for n, kind in enumerate(("put", "put", "batch", "txn", "counter"))]
    for w in writers:
        w.start()
    # let a good number of writes be acknowledged, then kill the server mid-stream
    deadline = time.monotonic() + 60
    while sum(len(w.acked) + w.adds for w in writers) < 600 and time.monotonic() < deadline:
        time.sleep(0.05)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    assert srv.proc.returncode == -signal.SIGKILL
    for w in writers:
        w.join(timeout=30)
        assert not w.is_alive()
        assert w.error is not None  # every writer was cut off by the kill
    acked = [k for w in writers for k in w.acked]
    adds = sum(w.adds for w in writers)
    assert len(acked) > 300 and adds > 10

    again = server_factory.start(data_dir=srv.data_dir)
    ddb = ddb_client(again)
    present = {i["pk"]["S"]: i for i in scan_all(ddb, table)}
    missing = [k for k in acked if k not in present]
    assert missing == [], f"{len(missing)} of {len(acked)} acknowledged items lost: {missing[:10]}"
    # at most the writes in flight at the kill landed without an acknowledgement
    assert len(set(acked)) == len(acked)
    assert len(acked) <= len(present) - 1 <= len(acked) + 1 + 1 + 10 + 3
    hits = int(present["counter"]["hits"]["N"])
    assert adds <= hits <= adds + 1
    # every acknowledged write has its stream record
    streams = ddb_streams_client(again)
    recorded = {r["dynamodb"]["Keys"]["pk"]["S"] for r in ddb_read_stream(streams, stream_arn)}
    assert not [k for k in acked if k not in recorded]
    # and the store takes writes again
    ddb.put_item(TableName=table, Item={"pk": S("after-restart")})
    assert ddb.get_item(TableName=table, Key={"pk": S("after-restart")})["Item"] == {"pk": S("after-restart")}
