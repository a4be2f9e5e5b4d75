"""DynamoDB batches and transactions: BatchWriteItem, BatchGetItem,
TransactWriteItems (all-or-nothing, CancellationReasons, ClientRequestToken
idempotency) and TransactGetItems (/work/shared/reference/dynamodb-api.md §5, §6.3)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ddb_client, ddb_create_table, ddb_error, ddb_raw, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server, validate=False)


@pytest.fixture(scope="module")
def t1(ddb):
    name = unique("batch1")
    ddb_create_table(ddb, name)
    return name


@pytest.fixture(scope="module")
def t2(ddb):
    name = unique("batch2")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"))
    return name


def k():
    return unique("b")


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


# ---------------------------------------------------------------------------
# BatchWriteItem / BatchGetItem
# ---------------------------------------------------------------------------


def test_batch_write_puts_and_deletes_across_tables(ddb, t1, t2):
    a, b, c = k(), k(), k()
    ddb.put_item(TableName=t1, Item={"pk": S(c), "v": S("old")})
    r = ddb.batch_write_item(RequestItems={
        t1: [{"PutRequest": {"Item": {"pk": S(a), "v": N(1)}}},
             {"PutRequest": {"Item": {"pk": S(b), "v": N(2)}}},
             {"DeleteRequest": {"Key": {"pk": S(c)}}},
             {"DeleteRequest": {"Key": {"pk": S(k())}}}],  # missing: fine
        t2: [{"PutRequest": {"Item": {"pk": S(a), "sk": N(i), "v": N(i)}}} for i in range(5)],
    })
    assert r["UnprocessedItems"] == {}
    assert get(ddb, t1, {"pk": S(a)}) == {"pk": S(a), "v": N(1)}
    assert get(ddb, t1, {"pk": S(b)}) == {"pk": S(b), "v": N(2)}
    assert get(ddb, t1, {"pk": S(c)}) is None
    q = ddb.query(TableName=t2, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(a)})
    assert [i["sk"] for i in q["Items"]] == [N(i) for i in range(5)]


def test_batch_write_limits_and_validation(ddb, t1):
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={t1: [{"PutRequest": {"Item": {"pk": S(f"x{i}")}}} for i in range(26)]})
    code, msg = ddb_error(e)
    assert code == "ValidationException"
    assert "25" in msg or "Too many items requested for the BatchWriteItem call" in msg, msg
    assert get(ddb, t1, {"pk": S("x0")}) is None
    dup = k()
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={t1: [{"PutRequest": {"Item": {"pk": S(dup), "v": N(1)}}},
                                                 {"DeleteRequest": {"Key": {"pk": S(dup)}}}]})
    assert ddb_error(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    good = k()
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={t1: [{"PutRequest": {"Item": {"pk": S(good), "n": N("abc")}}}]})
    assert ddb_error(e) == ("ValidationException", "The parameter cannot be converted to a numeric value: abc")
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={})
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={t1: [{"PutRequest": {"Item": {"pk": S(good)}},
                                                  "DeleteRequest": {"Key": {"pk": S(good)}}}]})
    assert ddb_error(e)[0] == "ValidationException"
    assert get(ddb, t1, {"pk": S(good)}) is None


@pytest.mark.parametrize("bad", [
    {"PutRequest": {"Item": {"other": S("x")}}},
    {"PutRequest": {"Item": {"pk": N(1)}}},
    {"PutRequest": {"Item": {"pk": S("big"), "d": S("x" * 409600)}}},
], ids=["missing-key", "key-type", "too-big"])
def test_batch_write_validation_is_all_or_nothing(ddb, t1, bad):
    """One bad request fails the whole batch, before anything is written."""
    before, after = k(), k()
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={t1: [{"PutRequest": {"Item": {"pk": S(before)}}}, bad,
                                                 {"PutRequest": {"Item": {"pk": S(after)}}}]})
    assert ddb_error(e)[0] == "ValidationException"
    assert get(ddb, t1, {"pk": S(after)}) is None
    assert get(ddb, t1, {"pk": S(before)}) is None


def test_batch_get_across_tables(ddb, t1, t2):
    a, b = k(), k()
    ddb.put_item(TableName=t1, Item={"pk": S(a), "v": N(1), "name": S("A"), "extra": S("x")})
    ddb.put_item(TableName=t1, Item={"pk": S(b), "v": N(2), "name": S("B"), "extra": S("y")})
    ddb.put_item(TableName=t2, Item={"pk": S(a), "sk": N(1), "w": S("w")})
    r = ddb.batch_get_item(RequestItems={
        t1: {"Keys": [{"pk": S(a)}, {"pk": S(b)}, {"pk": S(k())}], "ProjectionExpression": "pk, #n",
             "ExpressionAttributeNames": {"#n": "name"}, "ConsistentRead": True},
        t2: {"Keys": [{"pk": S(a), "sk": N(1)}, {"pk": S(a), "sk": N(2)}]},
    })
    assert r["UnprocessedKeys"] == {}
    assert sorted(r["Responses"][t1], key=lambda i: i["name"]["S"]) == [
        {"pk": S(a), "name": S("A")}, {"pk": S(b), "name": S("B")}]
    assert r["Responses"][t2] == [{"pk": S(a), "sk": N(1), "w": S("w")}]
    # nothing found is an empty list for that table
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": [{"pk": S(k())}]}})
    assert r["Responses"] == {t1: []}
    assert r["UnprocessedKeys"] == {}


def test_batch_get_wire_shape(server, t1):
    r = ddb_raw(server, "BatchGetItem", {"RequestItems": {t1: {"Keys": [{"pk": {"S": k()}}]}}})
    assert r.status == 200
    assert r.json() == {"Responses": {t1: []}, "UnprocessedKeys": {}}
    r = ddb_raw(server, "BatchWriteItem", {"RequestItems": {t1: [{"PutRequest": {"Item": {"pk": {"S": k()}}}}]}})
    assert r.status == 200
    assert r.json() == {"UnprocessedItems": {}}


def test_batch_get_limits_and_validation(ddb, t1):
    dup = k()
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={t1: {"Keys": [{"pk": S(dup)}, {"pk": S(dup)}]}})
    assert ddb_error(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={t1: {"Keys": [{"pk": S(f"x{i}")} for i in range(101)]}})
    assert ddb_error(e) == ("ValidationException", "Too many items requested for the BatchGetItem call")
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": [{"pk": S(f"x{i}")} for i in range(100)]}})
    assert r["Responses"][t1] == []
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={t1: {"Keys": []}})
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={t1: {"Keys": [{"pk": S("a")}], "ProjectionExpression": "pk",
                                              "ExpressionAttributeNames": {"#unused": "x"}}})
    assert ddb_error(e) == ("ValidationException",
                            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")


# ---------------------------------------------------------------------------
# TransactWriteItems
# ---------------------------------------------------------------------------


def test_transact_write_all_actions(ddb, t1, t2):
    a, b, c = k(), k(), k()
    ddb.put_item(TableName=t1, Item={"pk": S(b), "n": N(1)})
    ddb.put_item(TableName=t1, Item={"pk": S(c), "doomed": {"BOOL": True}})
    ddb.put_item(TableName=t2, Item={"pk": S(a), "sk": N(0), "state": S("open")})
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t1, "Item": {"pk": S(a), "v": S("new")}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": t1, "Key": {"pk": S(b)}, "UpdateExpression": "SET n = n + :one",
                    "ConditionExpression": "n = :one", "ExpressionAttributeValues": {":one": N(1)}}},
        {"Delete": {"TableName": t1, "Key": {"pk": S(c)}, "ConditionExpression": "doomed = :t",
                    "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
        {"ConditionCheck": {"TableName": t2, "Key": {"pk": S(a), "sk": N(0)}, "ConditionExpression": "#s = :o",
                            "ExpressionAttributeNames": {"#s": "state"}, "ExpressionAttributeValues": {":o": S("open")}}},
    ])
    assert set(r) <= {"ResponseMetadata", "ConsumedCapacity", "ItemCollectionMetrics"}
    assert get(ddb, t1, {"pk": S(a)}) == {"pk": S(a), "v": S("new")}
    assert get(ddb, t1, {"pk": S(b)}) == {"pk": S(b), "n": N(2)}
    assert get(ddb, t1, {"pk": S(c)}) is None
    assert get(ddb, t2, {"pk": S(a), "sk": N(0)}) == {"pk": S(a), "sk": N(0), "state": S("open")}


def test_transact_write_cancellation_is_all_or_nothing(ddb, t1, t2):
    a, b, c, d = k(), k(), k(), k()
    ddb.put_item(TableName=t1, Item={"pk": S(b), "n": N(1)})
    ddb.put_item(TableName=t1, Item={"pk": S(c), "keep": S("me")})
    ddb.put_item(TableName=t2, Item={"pk": S(d), "sk": N(0), "state": S("closed")})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t1, "Item": {"pk": S(a), "v": S("new")}}},
            {"Update": {"TableName": t1, "Key": {"pk": S(b)}, "UpdateExpression": "SET n = :two",
                        "ConditionExpression": "n = :zero", "ExpressionAttributeValues": {":two": N(2), ":zero": N(0)}}},
            {"Delete": {"TableName": t1, "Key": {"pk": S(c)}}},
            {"ConditionCheck": {"TableName": t2, "Key": {"pk": S(d), "sk": N(0)}, "ConditionExpression": "#s = :o",
                                "ExpressionAttributeNames": {"#s": "state"},
                                "ExpressionAttributeValues": {":o": S("open")},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    code, msg = ddb_error(e)
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, ConditionalCheckFailed, None, ConditionalCheckFailed]")
    reasons = e.value.response["CancellationReasons"]
    assert reasons == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": S(d), "sk": N(0), "state": S("closed")}},
    ]
    # nothing was applied
    assert get(ddb, t1, {"pk": S(a)}) is None
    assert get(ddb, t1, {"pk": S(b)}) == {"pk": S(b), "n": N(1)}
    assert get(ddb, t1, {"pk": S(c)}) == {"pk": S(c), "keep": S("me")}


def test_transaction_canceled_wire_shape(server, ddb, t1):
    a = k()
    ddb.put_item(TableName=t1, Item={"pk": S(a)})
    r = ddb_raw(server, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": t1, "Item": {"pk": {"S": a}}, "ConditionExpression": "attribute_not_exists(pk)"}}]})
    assert r.status == 400
    doc = r.json()
    assert doc["__type"] == "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
    assert doc["CancellationReasons"] == [{"Code": "ConditionalCheckFailed",
                                           "Message": "The conditional request failed"}]
    assert (doc.get("Message") or doc.get("message")).startswith("Transaction cancelled")


def test_transact_write_validation(ddb, t1):
    a = k()
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t1, "Item": {"pk": S(a), "v": N(1)}}},
            {"Update": {"TableName": t1, "Key": {"pk": S(a)}, "UpdateExpression": "SET w = :v",
                        "ExpressionAttributeValues": {":v": N(1)}}}])
    assert ddb_error(e) == ("ValidationException",
                            "Transaction request cannot include multiple operations on one item")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[])
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": t1, "Item": {"pk": S(f"{a}-{i}")}}}
                                                for i in range(101)])
    assert ddb_error(e)[0] == "ValidationException"
    # a bad key is a validation error, not a cancellation
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t1, "Item": {"pk": S(a)}}},
            {"Put": {"TableName": t1, "Item": {"pk": N(1)}}}])
    assert ddb_error(e)[0] == "ValidationException"
    # an action with two operations
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t1, "Item": {"pk": S(a)}},
             "Delete": {"TableName": t1, "Key": {"pk": S(a)}}}])
    assert ddb_error(e)[0] == "ValidationException"
    # ConditionCheck needs a condition
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"ConditionCheck": {"TableName": t1, "Key": {"pk": S(a)}}}])
    assert ddb_error(e)[0] == "ValidationException"
    assert get(ddb, t1, {"pk": S(a)}) is None


def test_transact_write_100_actions(ddb, t1):
    base = k()
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": t1, "Item": {"pk": S(f"{base}-{i}")}}}
                                            for i in range(100)])
    r = ddb.scan(TableName=t1, Select="COUNT", FilterExpression="begins_with(pk, :b)",
                 ExpressionAttributeValues={":b": S(base + "-")})
    assert r["Count"] == 100


def test_client_request_token_idempotency(ddb, t1):
    a = k()
    token = str(uuid.uuid4())
    items = [{"Update": {"TableName": t1, "Key": {"pk": S(a)}, "UpdateExpression": "ADD hits :one",
                         "ExpressionAttributeValues": {":one": N(1)}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)  # replay: success, not applied
    assert get(ddb, t1, {"pk": S(a)})["hits"] == N(1)
    # the same token with another request
    other = [{"Put": {"TableName": t1, "Item": {"pk": S(a + "-other")}}}]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=other, ClientRequestToken=token)
    assert ddb_error(e)[0] == "IdempotentParameterMismatchException"
    assert get(ddb, t1, {"pk": S(a + "-other")}) is None
    assert get(ddb, t1, {"pk": S(a)})["hits"] == N(1)
    # a new token applies again
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
    assert get(ddb, t1, {"pk": S(a)})["hits"] == N(2)
    # no token: every call applies
    ddb.transact_write_items(TransactItems=items)
    ddb.transact_write_items(TransactItems=items)
    assert get(ddb, t1, {"pk": S(a)})["hits"] == N(4)


# ---------------------------------------------------------------------------
# TransactGetItems
# ---------------------------------------------------------------------------


def test_transact_get_items(ddb, t1, t2):
    a, b = k(), k()
    ddb.put_item(TableName=t1, Item={"pk": S(a), "v": N(1), "name": S("x")})
    ddb.put_item(TableName=t2, Item={"pk": S(b), "sk": N(3), "w": S("y")})
    r = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": t2, "Key": {"pk": S(b), "sk": N(3)}}},
        {"Get": {"TableName": t1, "Key": {"pk": S(k())}}},
        {"Get": {"TableName": t1, "Key": {"pk": S(a)}, "ProjectionExpression": "#n",
                 "ExpressionAttributeNames": {"#n": "name"}}},
    ])
    assert r["Responses"] == [{"Item": {"pk": S(b), "sk": N(3), "w": S("y")}}, {}, {"Item": {"name": S("x")}}]
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": t1, "Key": {"pk": S(f"x{i}")}}}
                                              for i in range(101)])
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": t1, "Key": {"nope": S("x")}}}])
    assert ddb_error(e) == ("ValidationException", "The provided key element does not match the schema")


@pytest.mark.parametrize("change", ["values", "expression", "condition"])
def test_client_request_token_mismatch_on_changed_expression(ddb, t1, change):
    a = k()
    token = str(uuid.uuid4())
    update = {"TableName": t1, "Key": {"pk": S(a)}, "UpdateExpression": "ADD hits :one",
              "ExpressionAttributeValues": {":one": N(1)}}
    ddb.transact_write_items(TransactItems=[{"Update": update}], ClientRequestToken=token)
    changed = dict(update)
    if change == "values":
        changed["ExpressionAttributeValues"] = {":one": N(5)}
    elif change == "expression":
        changed["UpdateExpression"] = "ADD misses :one"
    else:
        changed["ConditionExpression"] = "attribute_exists(pk)"
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Update": changed}], ClientRequestToken=token)
    assert ddb_error(e)[0] == "IdempotentParameterMismatchException"


def test_concurrent_writers_are_atomic(server, t1):
    """Eight clients at once: ADD counters add up, create-only puts have one
    winner per key, and two-item transactions stay in step."""
    import threading

    base = k()
    outcome = {"created": 0, "lost": 0, "txn": 0, "unexpected": []}
    lock = threading.Lock()

    def worker(n):
        c = ddb_client(server, validate=False)
        for _ in range(25):
            c.update_item(TableName=t1, Key={"pk": S(base + "-ctr")}, UpdateExpression="ADD hits :one",
                          ExpressionAttributeValues={":one": N(1)})
        for i in range(10):
            try:
                c.put_item(TableName=t1, Item={"pk": S(f"{base}-race{i}"), "w": N(n)},
                           ConditionExpression="attribute_not_exists(pk)")
                with lock:
                    outcome["created"] += 1
            except ClientError as e:
                with lock:
                    if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                        outcome["lost"] += 1
                    else:
                        outcome["unexpected"].append(e.response["Error"])
        for _ in range(10):
            try:
                c.transact_write_items(TransactItems=[
                    {"Update": {"TableName": t1, "Key": {"pk": S(base + side)}, "UpdateExpression": "ADD v :one",
                                "ExpressionAttributeValues": {":one": N(1)}}} for side in ("-A", "-B")])
                with lock:
                    outcome["txn"] += 1
            except ClientError as e:  # a conflict is allowed, a half-applied transaction is not
                code = e.response["Error"]["Code"]
                if code not in ("TransactionConflictException", "TransactionCanceledException"):
                    with lock:
                        outcome["unexpected"].append(e.response["Error"])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ddb = ddb_client(server)
    assert outcome["unexpected"] == []
    assert get(ddb, t1, {"pk": S(base + "-ctr")})["hits"] == N(200)
    assert outcome["created"] == 10 and outcome["lost"] == 70
    a = get(ddb, t1, {"pk": S(base + "-A")})["v"]
    assert a == get(ddb, t1, {"pk": S(base + "-B")})["v"] == N(outcome["txn"])
    assert outcome["txn"] >= 1
