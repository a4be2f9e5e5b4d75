"""DynamoDB Streams (boto3 "dynamodbstreams"): every change in order with the
images of each view type, no record for a no-op write, ListStreams /
DescribeStream, the four iterator types, a consumer loop over several
GetRecords calls, streams turned off and on, and TTL deletions by the sweeper
(/work/shared/reference/dynamodb-api.md §4 "TTL", §5 "Streams", §9)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, ddb_client, ddb_create_table, ddb_error, ddb_read_stream,
                      ddb_streams_client, unique)

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server, validate=False)


@pytest.fixture(scope="module")
def streams(server):
    return ddb_streams_client(server, validate=False)


def stream_table(ddb, view="NEW_AND_OLD_IMAGES", **kw):
    name = unique("strm")
    desc = ddb_create_table(ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **kw)
    return name, desc["LatestStreamArn"]


def summary(records):
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]


# ---------------------------------------------------------------------------
# records and images
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_every_change_in_order_with_the_right_images(ddb, streams, view):
    name, arn = stream_table(ddb, view)
    ddb.put_item(TableName=name, Item={"pk": S("a"), "v": N(1)})                        # INSERT
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(2)})                              # MODIFY
    ddb.put_item(TableName=name, Item={"pk": S("b"), "w": S("x")})                      # INSERT
    ddb.put_item(TableName=name, Item={"pk": S("a"), "z": {"BOOL": True}})              # MODIFY (replace)
    ddb.delete_item(TableName=name, Key={"pk": S("b")})                                  # REMOVE
    ddb.update_item(TableName=name, Key={"pk": S("c")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(3)})                              # INSERT (upsert)
    records = ddb_read_stream(streams, arn)
    assert summary(records) == [("INSERT", "a"), ("MODIFY", "a"), ("INSERT", "b"), ("MODIFY", "a"),
                                ("REMOVE", "b"), ("INSERT", "c")]
    old = [None, {"pk": S("a"), "v": N(1)}, None, {"pk": S("a"), "v": N(2)}, {"pk": S("b"), "w": S("x")}, None]
    new = [{"pk": S("a"), "v": N(1)}, {"pk": S("a"), "v": N(2)}, {"pk": S("b"), "w": S("x")},
           {"pk": S("a"), "z": {"BOOL": True}}, None, {"pk": S("c"), "v": N(3)}]
    for r, o, n in zip(records, old, new):
        d = r["dynamodb"]
        assert d["StreamViewType"] == view
        assert d["Keys"] == {"pk": (o or n)["pk"]}
        assert d.get("OldImage") == (o if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None)
        assert d.get("NewImage") == (n if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None)


def test_record_shape(ddb, streams):
    name, arn = stream_table(ddb, "NEW_AND_OLD_IMAGES", range_key=("sk", "N"))
    ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": N(1), "data": S("x" * 100)})
    (r,) = ddb_read_stream(streams, arn)
    assert r["eventName"] == "INSERT"
    assert r["eventVersion"] == "1.1"
    assert r["eventSource"] == "aws:dynamodb"
    assert r["eventID"]
    assert "userIdentity" not in r
    d = r["dynamodb"]
    assert d["Keys"] == {"pk": S("a"), "sk": N(1)}
    assert isinstance(d["ApproximateCreationDateTime"], dt.datetime)
    assert abs((dt.datetime.now(dt.timezone.utc) - d["ApproximateCreationDateTime"]).total_seconds()) < 600
    assert d["SizeBytes"] > 100
    assert d["SequenceNumber"].isdigit() and 21 <= len(d["SequenceNumber"]) <= 40


def test_record_aws_region(ddb, streams):
    name, arn = stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    (r,) = ddb_read_stream(streams, arn)
    assert r["awsRegion"] == REGION


def test_event_ids_are_unique_across_streams(ddb, streams):
    ids = []
    for _ in range(2):
        name, arn = stream_table(ddb)
        ddb.put_item(TableName=name, Item={"pk": S("a")})
        ddb.put_item(TableName=name, Item={"pk": S("b")})
        ids += [r["eventID"] for r in ddb_read_stream(streams, arn)]
    assert len(ids) == 4
    assert len(set(ids)) == 4


def test_no_record_for_writes_that_change_nothing(ddb, streams):
    name, arn = stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("a"), "v": N(1), "s": {"SS": ["x", "y"]}})
    ddb.put_item(TableName=name, Item={"pk": S("a"), "v": N("1.0"), "s": {"SS": ["y", "x"]}})  # identical
    ddb.delete_item(TableName=name, Key={"pk": S("missing")})                                   # nothing to delete
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(1)})                                      # same value
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="REMOVE nothere")      # nothing removed
    with pytest.raises(ClientError):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "v": N(9)}, ConditionExpression="v = :x",
                     ExpressionAttributeValues={":x": N(5)})                                     # failed condition
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": S("t")}}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": S("a")}, "ConditionExpression": "v = :x",
                                "ExpressionAttributeValues": {":x": N(5)}}}])             # cancelled transaction
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(2)})                                      # a real change
    assert summary(ddb_read_stream(streams, arn)) == [("INSERT", "a"), ("MODIFY", "a")]


def test_batches_and_transactions_are_recorded(ddb, streams):
    name, arn = stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("gone")})
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": S("b1")}}},
                                              {"PutRequest": {"Item": {"pk": S("b2")}}},
                                              {"DeleteRequest": {"Key": {"pk": S("gone")}}}]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": S("t1")}}},
        {"Update": {"TableName": name, "Key": {"pk": S("b1")}, "UpdateExpression": "SET x = :x",
                    "ExpressionAttributeValues": {":x": N(1)}}},
        {"Delete": {"TableName": name, "Key": {"pk": S("b2")}}}])
    got = summary(ddb_read_stream(streams, arn))
    assert got[0] == ("INSERT", "gone")
    assert sorted(got[1:4]) == [("INSERT", "b1"), ("INSERT", "b2"), ("REMOVE", "gone")]
    assert sorted(got[4:]) == [("INSERT", "t1"), ("MODIFY", "b1"), ("REMOVE", "b2")]
    assert len(got) == 7


# ---------------------------------------------------------------------------
# ListStreams / DescribeStream / iterators
# ---------------------------------------------------------------------------


def test_list_and_describe_stream(ddb, streams):
    name, arn = stream_table(ddb, "NEW_IMAGE", range_key=("sk", "S"))
    table = ddb.describe_table(TableName=name)["Table"]
    label = table["LatestStreamLabel"]
    assert arn == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/{label}"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": label}]
    everything = []
    kw = {}
    while True:
        page = streams.list_streams(Limit=2, **kw)
        everything += [s["StreamArn"] for s in page["Streams"]]
        if "LastEvaluatedStreamArn" not in page:
            break
        kw = {"ExclusiveStartStreamArn": page["LastEvaluatedStreamArn"]}
    assert arn in everything and len(everything) == len(set(everything))
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamArn"] == arn and d["StreamLabel"] == label and d["TableName"] == name
    assert d["StreamStatus"] == "ENABLED"
    assert d["StreamViewType"] == "NEW_IMAGE"
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(d["CreationRequestDateTime"], dt.datetime)
    assert len(d["Shards"]) >= 1
    for shard in d["Shards"]:
        assert shard["ShardId"].startswith("shardId-") and 28 <= len(shard["ShardId"]) <= 65
        assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit()
    assert "EndingSequenceNumber" not in d["Shards"][-1]["SequenceNumberRange"]  # open shard


def test_stream_errors(ddb, streams):
    name, arn = stream_table(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/2000-01-01T00:00:00.000"
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=missing)
    assert ddb_error(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                                   ShardIteratorType="TRIM_HORIZON")
    assert ddb_error(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="SOMEWHERE")
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator="not-an-iterator")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it, Limit=1001)
    assert ddb_error(e)[0] == "ValidationException"
    # a table without a stream has none listed
    plain = unique("nostream")
    ddb_create_table(ddb, plain)
    assert streams.list_streams(TableName=plain)["Streams"] == []
    assert "LatestStreamArn" not in ddb.describe_table(TableName=plain)["Table"]


def test_iterator_types(ddb, streams):
    name, arn = stream_table(ddb, "KEYS_ONLY")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})

    def read(it_type, seq=None):
        kw = {"SequenceNumber": seq} if seq else {}
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=it_type, **kw)["ShardIterator"]
        return streams.get_records(ShardIterator=it)

    horizon = read("TRIM_HORIZON")["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in horizon] == [f"k{i}" for i in range(5)]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in horizon]
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs) and len(set(seqs)) == 5
    at = read("AT_SEQUENCE_NUMBER", seqs[2])["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == seqs[2:]
    after = read("AFTER_SEQUENCE_NUMBER", seqs[2])["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == seqs[3:]
    after_last = read("AFTER_SEQUENCE_NUMBER", seqs[-1])
    assert after_last["Records"] == [] and after_last["NextShardIterator"]
    # an iterator past the end sees what is written later
    ddb.put_item(TableName=name, Item={"pk": S("late")})
    page = streams.get_records(ShardIterator=after_last["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["late"]


def test_latest_iterator(ddb, streams):
    name, arn = stream_table(ddb, "KEYS_ONLY")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": S("late")})
    page = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["late"]


def test_consumer_loop_reads_everything_across_calls(ddb, streams):
    name, arn = stream_table(ddb, "NEW_IMAGE")
    expected = []
    for i in range(25):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i:02d}"), "n": N(i)})
        expected.append(("INSERT", f"k{i:02d}"))
        if i % 5 == 4:
            ddb.update_item(TableName=name, Key={"pk": S(f"k{i:02d}")}, UpdateExpression="SET n = n + :one",
                            ExpressionAttributeValues={":one": N(1)})
            expected.append(("MODIFY", f"k{i:02d}"))
        if i % 7 == 6:
            ddb.delete_item(TableName=name, Key={"pk": S(f"k{i - 1:02d}")})
            expected.append(("REMOVE", f"k{i - 1:02d}"))
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got, calls = [], 0
    while len(got) < len(expected) and calls < 100:
        page = streams.get_records(ShardIterator=it, Limit=7)
        calls += 1
        assert len(page["Records"]) <= 7
        got += page["Records"]
        it = page["NextShardIterator"]
    assert summary(got) == expected
    assert calls >= len(expected) // 7
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in got]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # caught up: an empty page, and the loop goes on with later writes
    page = streams.get_records(ShardIterator=it, Limit=7)
    assert page["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": S("later")})
    page = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=7)
    assert summary(page["Records"]) == [("INSERT", "later")]
    assert int(page["Records"][0]["dynamodb"]["SequenceNumber"]) > seqs[-1]


# ---------------------------------------------------------------------------
# streams turned off and on, and deleted tables
# ---------------------------------------------------------------------------


def test_disable_and_reenable_stream(ddb, streams):
    name, arn = stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("before")})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item={"pk": S("while-off")})
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] in ("DISABLING", "DISABLED")
    # the old stream stays readable and ends
    assert summary(ddb_read_stream(streams, arn)) == [("INSERT", "before")]
    shard = d["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=it)
    assert summary(page["Records"]) == [("INSERT", "before")]
    if "NextShardIterator" in page:  # allowed once more, then the closed shard is exhausted
        page = streams.get_records(ShardIterator=page["NextShardIterator"])
        assert page["Records"] == []
        assert "NextShardIterator" not in page
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                 "StreamViewType": "KEYS_ONLY"})
    arn2 = desc["TableDescription"]["LatestStreamArn"]
    assert arn2 != arn
    ddb.put_item(TableName=name, Item={"pk": S("after")})
    assert summary(ddb_read_stream(streams, arn2)) == [("INSERT", "after")]
    listed = {s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]}
    assert {arn, arn2} <= listed


def test_stream_readable_after_delete_table(ddb, streams):
    name, arn = stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    ddb.delete_table(TableName=name)
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] in ("DISABLING", "DISABLED")
    assert summary(ddb_read_stream(streams, arn)) == [("INSERT", "a")]


# ---------------------------------------------------------------------------
# TTL: expired items disappear and the sweeper writes REMOVE records
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ttl_swept(ddb, streams):
    """A TTL table with a stream, after the sweeper removed its expired item."""
    name, arn = stream_table(ddb, "NEW_AND_OLD_IMAGES")
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": S("expired"), "expires": N(now - 60), "v": S("x")})
    ddb.put_item(TableName=name, Item={"pk": S("future"), "expires": N(now + 3600)})
    ddb.put_item(TableName=name, Item={"pk": S("string-ttl"), "expires": S(str(now - 60))})  # not a number
    ddb.put_item(TableName=name, Item={"pk": S("no-ttl")})
    ddb.put_item(TableName=name, Item={"pk": S("ancient"), "expires": N(now - 6 * 366 * 86400)})  # > 5 years
    # Nimbus stops returning expired items at once (AWS may still return them until deleted)
    hidden = "Item" not in ddb.get_item(TableName=name, Key={"pk": S("expired")})
    # the sweeper (about every 10 s) deletes it and records a REMOVE by the service
    removes = []
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        removes = [r for r in ddb_read_stream(streams, arn) if r["eventName"] == "REMOVE"]
        if removes:
            break
        time.sleep(1)
    return dict(name=name, arn=arn, now=now, hidden=hidden, removes=removes)


def test_ttl_sweeper_removes_expired_items(ddb, streams, ttl_swept):
    name, arn, now, removes = ttl_swept["name"], ttl_swept["arn"], ttl_swept["now"], ttl_swept["removes"]
    assert ttl_swept["hidden"]
    assert [r["dynamodb"]["Keys"] for r in removes] == [{"pk": S("expired")}]
    r = removes[0]
    assert "userIdentity" in r
    assert r["dynamodb"]["OldImage"] == {"pk": S("expired"), "expires": N(now - 60), "v": S("x")}
    left = sorted(i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"])
    assert left == ["ancient", "future", "no-ttl", "string-ttl"]
    # user deletes carry no userIdentity
    ddb.delete_item(TableName=name, Key={"pk": S("no-ttl")})
    last = ddb_read_stream(streams, arn)[-1]
    assert last["eventName"] == "REMOVE" and "userIdentity" not in last


def test_ttl_remove_user_identity_as_sdks_read_it(ttl_swept):
    (r,) = ttl_swept["removes"]
    assert r["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def test_ttl_hides_expired_items_from_every_read(ddb):
    name = unique("ttlread")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"))
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(1), "exp": N(now - 10)})
    ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(2), "exp": N(now + 3600)})
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("p"), "sk": N(1)})
    q = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")})
    assert [i["sk"] for i in q["Items"]] == [N(2)]
    assert [i["sk"] for i in ddb.scan(TableName=name)["Items"]] == [N(2)]
    got = ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": S("p"), "sk": N(1)}, {"pk": S("p"), "sk": N(2)}]}})
    assert [i["sk"] for i in got["Responses"][name]] == [N(2)]
