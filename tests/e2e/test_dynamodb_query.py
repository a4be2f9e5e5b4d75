"""DynamoDB Query and Scan: key conditions, sort orders (N numeric, S by UTF-8
bytes, B unsigned), Limit / ExclusiveStartKey / LastEvaluatedKey, the 1 MB
page, Select COUNT, global and local secondary indexes (sparse, projections,
index pagination) and parallel Scan segments
(/work/shared/reference/dynamodb-api.md §5 "Pagination", §7)."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError

from conftest import ddb_client, ddb_create_table, ddb_error, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
B = lambda v: {"B": v}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server, validate=False)


def batch_put(ddb, table, items):
    for i in range(0, len(items), 25):
        r = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
        assert r["UnprocessedItems"] == {}


def pages(call, **kw):
    """Every page of a Query/Scan, following LastEvaluatedKey."""
    out = []
    while True:
        page = call(**kw)
        out.append(page)
        if "LastEvaluatedKey" not in page:
            return out
        assert len(out) < 1000
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def items_of(page_list):
    return [i for p in page_list for i in p.get("Items", [])]


# ---------------------------------------------------------------------------
# a table with a numeric sort key, a sparse GSI, a KEYS_ONLY GSI and an LSI
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qt(ddb):
    name = unique("query")
    ddb_create_table(
        ddb, name, ("pk", "S"), ("sk", "N"),
        gsis={"byEmail": (("email", "S"), None, {"ProjectionType": "ALL"}),
              "byGroup": (("grp", "S"), ("rank", "N"), {"ProjectionType": "KEYS_ONLY"}),
              "byGroupInc": (("grp", "S"), None, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["odd"]})},
        lsis={"byScore": (("score", "N"), {"ProjectionType": "ALL"})})
    items = []
    for i in range(20):
        it = {"pk": S("p"), "sk": N(i), "odd": {"BOOL": i % 2 == 1}, "grp": S("g" + str(i % 3)),
              "rank": N(i // 3), "payload": S("x" * 10)}
        if i % 4 == 0:
            it["email"] = S(f"user{i % 8}@example.com")
        if i % 5 != 0:
            it["score"] = N(100 - i)
        items.append(it)
    for i in range(5):
        items.append({"pk": S("other"), "sk": N(i), "grp": S("g0"), "rank": N(100 + i)})
    random.Random(7).shuffle(items)
    batch_put(ddb, name, items)
    return name


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


@pytest.mark.parametrize("cond,values,expected", [
    ("pk = :p", {}, list(range(20))),
    ("pk = :p AND sk = :a", {":a": N(7)}, [7]),
    ("pk = :p AND sk < :a", {":a": N(3)}, [0, 1, 2]),
    ("pk = :p AND sk <= :a", {":a": N(3)}, [0, 1, 2, 3]),
    ("pk = :p AND sk > :a", {":a": N(16)}, [17, 18, 19]),
    ("pk = :p AND sk >= :a", {":a": N(16)}, [16, 17, 18, 19]),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": N(5), ":b": N(8)}, [5, 6, 7, 8]),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": N("4.5"), ":b": N("5.5")}, [5]),
    ("sk > :a AND pk = :p", {":a": N(17)}, [18, 19]),
    ("(pk = :p) AND (sk < :a)", {":a": N(1)}, [0]),
])
def test_key_conditions(ddb, qt, cond, values, expected):
    r = ddb.query(TableName=qt, KeyConditionExpression=cond, ExpressionAttributeValues={":p": S("p"), **values})
    assert sks(r["Items"]) == expected
    assert r["Count"] == r["ScannedCount"] == len(expected)
    assert "LastEvaluatedKey" not in r
    r = ddb.query(TableName=qt, KeyConditionExpression=cond, ExpressionAttributeValues={":p": S("p"), **values},
                  ScanIndexForward=False)
    assert sks(r["Items"]) == expected[::-1]


def test_query_missing_partition_is_empty(ddb, qt):
    r = ddb.query(TableName=qt, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("nobody")})
    assert r["Items"] == [] and r["Count"] == 0 and r["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in r


def test_query_limit_and_exclusive_start_key(ddb, qt):
    for forward in (True, False):
        got = pages(ddb.query, TableName=qt, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": S("p")}, Limit=6, ScanIndexForward=forward)
        expected = list(range(20)) if forward else list(range(19, -1, -1))
        assert sks(items_of(got)) == expected
        for p in got[:-1]:
            assert p["Count"] == 6
            assert set(p["LastEvaluatedKey"]) == {"pk", "sk"}
            assert p["LastEvaluatedKey"] == {"pk": S("p"), "sk": p["Items"][-1]["sk"]}
        assert len(got) in (4, 5)  # 6+6+6+2 (an empty last page is allowed)


def test_query_limit_counts_items_before_the_filter(ddb, qt):
    got = pages(ddb.query, TableName=qt, KeyConditionExpression="pk = :p", FilterExpression="odd = :t",
                ExpressionAttributeValues={":p": S("p"), ":t": {"BOOL": True}}, Limit=5)
    assert sks(items_of(got)) == list(range(1, 20, 2))
    for p in got[:-1]:
        assert p["ScannedCount"] == 5
        assert p["Count"] == len(p["Items"]) <= 5
    # a page can hold no item and still continue
    first = ddb.query(TableName=qt, KeyConditionExpression="pk = :p AND sk < :x", FilterExpression="sk2 = :v",
                      ExpressionAttributeValues={":p": S("p"), ":x": N(10), ":v": N(1)}, Limit=3)
    assert first["Count"] == 0 and first["Items"] == []
    assert first["ScannedCount"] == 3
    assert first["LastEvaluatedKey"] == {"pk": S("p"), "sk": N(2)}


def test_query_select_count_and_projection(ddb, qt):
    r = ddb.query(TableName=qt, KeyConditionExpression="pk = :p", FilterExpression="odd = :t",
                  ExpressionAttributeValues={":p": S("p"), ":t": {"BOOL": False}}, Select="COUNT")
    assert r["Count"] == 10 and r["ScannedCount"] == 20
    assert "Items" not in r
    r = ddb.query(TableName=qt, KeyConditionExpression="pk = :p AND sk = :s",
                  ExpressionAttributeValues={":p": S("p"), ":s": N(4)}, ProjectionExpression="grp, email, nothere")
    assert r["Items"] == [{"grp": S("g1"), "email": S("user4@example.com")}]
    r = ddb.query(TableName=qt, KeyConditionExpression="pk = :p AND sk = :s",
                  ExpressionAttributeValues={":p": S("p"), ":s": N(4)}, ProjectionExpression="grp",
                  Select="SPECIFIC_ATTRIBUTES")
    assert r["Items"] == [{"grp": S("g1")}]
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                  Select="COUNT", ProjectionExpression="grp")
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                  Select="ALL_ATTRIBUTES", ProjectionExpression="grp")
    assert ddb_error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                  Select="EVERYTHING")
    assert ddb_error(e)[0] == "ValidationException"


@pytest.mark.parametrize("op", ["query", "scan"])
def test_select_specific_attributes_needs_a_projection(ddb, qt, op):
    kw = dict(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")}) if op == "query" else {}
    with pytest.raises(ClientError) as e:
        getattr(ddb, op)(TableName=qt, Select="SPECIFIC_ATTRIBUTES", **kw)
    assert ddb_error(e)[0] == "ValidationException"


@pytest.mark.parametrize("op", ["query", pytest.param("scan")])
def test_select_all_projected_attributes_needs_an_index(ddb, qt, op):
    kw = dict(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")}) if op == "query" else {}
    with pytest.raises(ClientError) as e:
        getattr(ddb, op)(TableName=qt, Select="ALL_PROJECTED_ATTRIBUTES", **kw)
    assert ddb_error(e)[0] == "ValidationException"


def test_select_all_projected_attributes_on_an_index(ddb, qt):
    r = ddb.query(TableName=qt, IndexName="byGroupInc", KeyConditionExpression="grp = :g",
                  ExpressionAttributeValues={":g": S("g2")}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert all(set(i) == {"pk", "sk", "grp", "odd"} for i in r["Items"])


def test_limit_must_be_positive(ddb, qt):
    for call in (lambda: ddb.scan(TableName=qt, Limit=0),
                 lambda: ddb.query(TableName=qt, KeyConditionExpression="pk = :p",
                                   ExpressionAttributeValues={":p": S("p")}, Limit=0)):
        with pytest.raises(ClientError) as e:
            call()
        assert ddb_error(e) == ("ValidationException", "1 validation error detected: Value '0' at 'limit' failed "
                                "to satisfy constraint: Member must have value greater than or equal to 1")


def test_invalid_exclusive_start_key(ddb, qt):
    for esk in ({"pk": S("p")}, {"pk": S("p"), "sk": S("1")}, {"pk": S("p"), "sk": N(1), "x": N(1)}):
        with pytest.raises(ClientError) as e:
            ddb.query(TableName=qt, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                      ExclusiveStartKey=esk)
        code, msg = ddb_error(e)
        assert code == "ValidationException"
        assert msg.startswith("The provided starting key is invalid"), msg
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=qt, ExclusiveStartKey={"sk": N(1)})
    assert ddb_error(e)[1].startswith("The provided starting key is invalid")


def test_exclusive_start_key_outside_the_key_condition(ddb, qt):
    for cond, values in (("pk = :p", {":p": S("p")}), ("pk = :p AND sk > :s", {":p": S("other"), ":s": N(2)})):
        with pytest.raises(ClientError) as e:
            ddb.query(TableName=qt, KeyConditionExpression=cond, ExpressionAttributeValues=values,
                      ExclusiveStartKey={"pk": S("other"), "sk": N(0)})
        code, msg = ddb_error(e)
        assert code == "ValidationException"
        assert msg.startswith("The provided starting key is outside query boundaries"), msg


def test_scan_pagination_covers_everything_once(ddb, qt):
    got = pages(ddb.scan, TableName=qt, Limit=7)
    keys = [(i["pk"]["S"], int(i["sk"]["N"])) for i in items_of(got)]
    assert len(keys) == 25 == len(set(keys))
    for p in got[:-1]:
        assert p["ScannedCount"] == 7
    # items of one partition come back in sort-key order
    assert [k for k in keys if k[0] == "p"] == [("p", i) for i in range(20)]
    r = ddb.scan(TableName=qt, Select="COUNT", FilterExpression="attribute_exists(email)")
    assert r["Count"] == 5 and r["ScannedCount"] == 25 and "Items" not in r


# ---------------------------------------------------------------------------
# global secondary indexes
# ---------------------------------------------------------------------------


def test_gsi_is_sparse(ddb, qt):
    got = items_of(pages(ddb.scan, TableName=qt, IndexName="byEmail"))
    assert sorted(sks(got)) == [0, 4, 8, 12, 16]
    r = ddb.query(TableName=qt, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("user0@example.com")})
    # duplicate index keys are allowed: 0, 8 and 16 share the address
    assert sorted(sks(r["Items"])) == [0, 8, 16]
    # ALL projection: whole items
    assert all(set(i) >= {"pk", "sk", "email", "grp", "payload", "odd"} for i in r["Items"])


def test_gsi_pagination_with_duplicate_index_keys(ddb, qt):
    for forward in (True, False):
        got = pages(ddb.query, TableName=qt, IndexName="byGroup", KeyConditionExpression="grp = :g",
                    ExpressionAttributeValues={":g": S("g0")}, Limit=2, ScanIndexForward=forward)
        items = items_of(got)
        # g0: sk 0,3,...,18 of "p" (rank sk//3) and the five "other" items (rank 100+)
        assert len(items) == 12
        assert len({(i["pk"]["S"], i["sk"]["N"]) for i in items}) == 12
        ranks = [int(i["rank"]["N"]) for i in items]
        assert ranks == sorted(ranks, reverse=not forward)
        for p in got[:-1]:
            # the table key plus the index key
            assert set(p["LastEvaluatedKey"]) == {"pk", "sk", "grp", "rank"}


def test_gsi_projections(ddb, qt):
    r = ddb.query(TableName=qt, IndexName="byGroup", KeyConditionExpression="grp = :g AND #r = :r",
                  ExpressionAttributeNames={"#r": "rank"}, ExpressionAttributeValues={":g": S("g1"), ":r": N(0)})
    assert r["Items"] == [{"pk": S("p"), "sk": N(1), "grp": S("g1"), "rank": N(0)}]  # KEYS_ONLY
    r = ddb.query(TableName=qt, IndexName="byGroupInc", KeyConditionExpression="grp = :g",
                  ExpressionAttributeValues={":g": S("g2")})
    assert len(r["Items"]) == 6  # sk 2, 5, 8, 11, 14, 17; INCLUDE: keys plus "odd"
    for it in r["Items"]:
        assert set(it) == {"pk", "sk", "grp", "odd"}
    r = ddb.query(TableName=qt, IndexName="byGroupInc", KeyConditionExpression="grp = :g", FilterExpression="odd = :t",
                  ExpressionAttributeValues={":g": S("g2"), ":t": {"BOOL": True}}, Select="COUNT")
    assert r["Count"] == 3 and r["ScannedCount"] == 6  # sk 5, 11, 17
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, IndexName="byGroup", KeyConditionExpression="grp = :g",
                  ExpressionAttributeValues={":g": S("g1")}, Select="ALL_ATTRIBUTES")
    assert ddb_error(e)[0] == "ValidationException"


def test_gsi_rules(ddb, qt):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("x")}, ConsistentRead=True)
    assert ddb_error(e) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, IndexName="byEmail", KeyConditionExpression="pk = :e",
                  ExpressionAttributeValues={":e": S("p")})
    assert ddb_error(e) == ("ValidationException", "Query condition missed key schema element: email")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=qt, IndexName="nope", KeyConditionExpression="pk = :e",
                  ExpressionAttributeValues={":e": S("p")})
    assert ddb_error(e) == ("ValidationException", "The table does not have the specified index: nope")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=qt, IndexName="nope")
    assert ddb_error(e) == ("ValidationException", "The table does not have the specified index: nope")


def test_gsi_follows_updates_and_deletes(ddb):
    name = unique("gsi")
    ddb_create_table(ddb, name, gsis={"byColor": (("color", "S"), None, {"ProjectionType": "ALL"})})

    def colored(c):
        r = ddb.query(TableName=name, IndexName="byColor", KeyConditionExpression="color = :c",
                      ExpressionAttributeValues={":c": S(c)})
        return sorted(i["pk"]["S"] for i in r["Items"])

    ddb.put_item(TableName=name, Item={"pk": S("a"), "color": S("red")})
    ddb.put_item(TableName=name, Item={"pk": S("b"), "color": S("red")})
    assert colored("red") == ["a", "b"]
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="SET color = :c",
                    ExpressionAttributeValues={":c": S("blue")})
    assert colored("red") == ["b"] and colored("blue") == ["a"]
    ddb.update_item(TableName=name, Key={"pk": S("b")}, UpdateExpression="REMOVE color")
    assert colored("red") == []
    ddb.delete_item(TableName=name, Key={"pk": S("a")})
    assert colored("blue") == []
    assert ddb.scan(TableName=name, IndexName="byColor")["Items"] == []


# ---------------------------------------------------------------------------
# local secondary index
# ---------------------------------------------------------------------------


def test_lsi_query_and_pagination(ddb, qt):
    expected = sorted((i for i in range(20) if i % 5 != 0), key=lambda i: 100 - i)  # score ascending
    for consistent in (False, True):
        got = pages(ddb.query, TableName=qt, IndexName="byScore", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": S("p")}, Limit=4, ConsistentRead=consistent)
        items = items_of(got)
        assert sks(items) == expected  # sparse: items without a score are absent
        for p in got[:-1]:
            assert set(p["LastEvaluatedKey"]) == {"pk", "sk", "score"}
        assert all("payload" in i for i in items)
    r = ddb.query(TableName=qt, IndexName="byScore", KeyConditionExpression="pk = :p AND score BETWEEN :a AND :b",
                  ExpressionAttributeValues={":p": S("p"), ":a": N(85), ":b": N(88)}, ScanIndexForward=False)
    assert sks(r["Items"]) == [12, 13, 14]  # scores 88, 87, 86 (85 is sk 15: no score)
    got = items_of(pages(ddb.scan, TableName=qt, IndexName="byScore", Limit=5))
    assert sorted(sks(got)) == sorted(expected)


# ---------------------------------------------------------------------------
# sort orders
# ---------------------------------------------------------------------------


def test_numeric_sort_key_order(ddb):
    name = unique("numsort")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"))
    values = ["1e10", "-1", "0", "0.5", "-1E+10", "1E-130", "-1E-130", "9.9999999999999999999999999999999999999E+125",
              "-9.9999999999999999999999999999999999999E+125", "12345678901234567890123456789012345678",
              "12345678901234567890123456789012345677", "10", "9", "-10", "-9", "0.25", "100"]
    random.Random(3).shuffle(values)
    for v in values:
        ddb.put_item(TableName=name, Item={"pk": S("x"), "sk": N(v), "orig": S(v)})
    from decimal import Decimal, getcontext
    getcontext().prec = 200
    expected = sorted(values, key=Decimal)
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("x")})
    assert [i["orig"]["S"] for i in r["Items"]] == expected
    assert [i["sk"]["N"] for i in r["Items"]][:4] == ["-" + "9" * 38 + "0" * 88, "-10000000000", "-10", "-9"]
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                  ExpressionAttributeValues={":p": S("x"), ":a": N(-1), ":b": N("0.5")})
    assert [i["orig"]["S"] for i in r["Items"]] == ["-1", "-1E-130", "0", "1E-130", "0.25", "0.5"]
    # the key is the number, not its spelling
    ddb.put_item(TableName=name, Item={"pk": S("y"), "sk": N("1.50")})
    assert ddb.get_item(TableName=name, Key={"pk": S("y"), "sk": N("1.5")})["Item"]["sk"] == N("1.5")
    ddb.put_item(TableName=name, Item={"pk": S("y"), "sk": N("15E-1"), "v": N(2)})
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("y")})
    assert r["Items"] == [{"pk": S("y"), "sk": N("1.5"), "v": N(2)}]


def test_string_sort_key_order_is_utf8_bytes(ddb):
    name = unique("strsort")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "S"))
    values = ["a", "B", "é", "z", "~", "\ufffd", "\U0001F600", "aa", "a b", "A", "0", "ab", "\u00ff", "\u0100"]
    for v in values:
        ddb.put_item(TableName=name, Item={"pk": S("x"), "sk": S(v)})
    expected = sorted(values, key=lambda v: v.encode("utf-8"))
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("x")})
    assert [i["sk"]["S"] for i in r["Items"]] == expected
    # UTF-16 order would put the emoji before U+FFFD
    assert expected.index("\ufffd") < expected.index("\U0001F600")
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                  ExpressionAttributeValues={":p": S("x"), ":a": S("a")})
    assert [i["sk"]["S"] for i in r["Items"]] == ["a", "a b", "aa", "ab"]
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                  ExpressionAttributeValues={":p": S("x"), ":a": S("B"), ":b": S("a")})
    assert [i["sk"]["S"] for i in r["Items"]] == ["B", "a"]


def test_binary_sort_key_order_is_unsigned(ddb):
    name = unique("binsort")
    ddb_create_table(ddb, name, ("pk", "B"), ("sk", "B"))
    values = [b"\x80", b"\x01", b"\xff", b"\x7f", b"\x00", b"\x00\x00", b"\xff\x00", b"\x7f\xff"]
    for v in values:
        ddb.put_item(TableName=name, Item={"pk": B(b"k"), "sk": B(v)})
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": B(b"k")})
    assert [i["sk"]["B"] for i in r["Items"]] == sorted(values)
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                  ExpressionAttributeValues={":p": B(b"k"), ":b": B(b"\xff")})
    assert [i["sk"]["B"] for i in r["Items"]] == [b"\xff", b"\xff\x00"]
    r = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk > :b",
                  ExpressionAttributeValues={":p": B(b"k"), ":b": B(b"\x7f\xff")})
    assert [i["sk"]["B"] for i in r["Items"]] == [b"\x80", b"\xff", b"\xff\x00"]


def test_query_on_hash_only_table(ddb):
    name = unique("hashonly")
    ddb_create_table(ddb, name, ("id", "N"))
    ddb.put_item(TableName=name, Item={"id": N(1), "v": S("a")})
    ddb.put_item(TableName=name, Item={"id": N(2), "v": S("b")})
    r = ddb.query(TableName=name, KeyConditionExpression="id = :i", ExpressionAttributeValues={":i": N("1.0")})
    assert r["Items"] == [{"id": N(1), "v": S("a")}]


# ---------------------------------------------------------------------------
# 1 MB pages
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(ddb):
    """25 items of ~100 KB in one partition (2.5 MB)."""
    name = unique("bigpage")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"),
                     gsis={"byKind": (("kind", "S"), None, {"ProjectionType": "ALL"})})
    blob = "b" * 100_000
    for i in range(25):
        ddb.put_item(TableName=name, Item={"pk": S("big"), "sk": N(i), "kind": S("k"), "blob": S(blob)})
    return name


def check_mb_pages(got):
    items = items_of(got)
    assert len(items) == 25
    assert len({i["sk"]["N"] for i in items}) == 25
    assert len(got) >= 3
    for p in got[:-1]:
        assert 1 <= p["Count"] <= 11, [q["Count"] for q in got]  # 1 MB / 100 KB
        assert "LastEvaluatedKey" in p


def test_query_page_stops_at_1mb(ddb, big):
    got = pages(ddb.query, TableName=big, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("big")})
    check_mb_pages(got)
    assert sks(items_of(got)) == list(range(25))


def test_scan_page_stops_at_1mb(ddb, big):
    check_mb_pages(pages(ddb.scan, TableName=big))


def test_gsi_page_stops_at_1mb(ddb, big):
    check_mb_pages(pages(ddb.query, TableName=big, IndexName="byKind", KeyConditionExpression="kind = :k",
                         ExpressionAttributeValues={":k": S("k")}))


def test_1mb_is_counted_before_the_filter_and_for_count(ddb, big):
    got = pages(ddb.query, TableName=big, KeyConditionExpression="pk = :p", FilterExpression="sk2 = :n",
                ExpressionAttributeValues={":p": S("big"), ":n": N(1)})
    assert len(got) >= 3
    assert all(p["Count"] == 0 for p in got)
    assert sum(p["ScannedCount"] for p in got) == 25
    got = pages(ddb.scan, TableName=big, Select="COUNT")
    assert len(got) >= 3
    assert sum(p["Count"] for p in got) == 25
    # a small projection does not change what is read
    got = pages(ddb.query, TableName=big, KeyConditionExpression="pk = :p", ProjectionExpression="sk",
                ExpressionAttributeValues={":p": S("big")})
    assert len(got) >= 3


# ---------------------------------------------------------------------------
# parallel scan
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(ddb):
    name = unique("segments")
    ddb_create_table(ddb, name, ("id", "S"))
    batch_put(ddb, name, [{"id": S(f"item-{i:04d}"), "n": N(i)} for i in range(300)])
    return name


@pytest.mark.parametrize("total", [1, 2, 4, 7])
def test_parallel_scan_segments_cover_everything_once(ddb, many, total):
    seen = []
    per_segment = []
    for seg in range(total):
        got = items_of(pages(ddb.scan, TableName=many, Segment=seg, TotalSegments=total, Limit=37))
        per_segment.append({i["id"]["S"] for i in got})
        seen += [i["id"]["S"] for i in got]
    assert len(seen) == 300
    assert set(seen) == {f"item-{i:04d}" for i in range(300)}
    if total == 4:
        # a real split, not everything in one segment
        assert sum(1 for s in per_segment if s) >= 2


def test_parallel_scan_with_filter_and_count(ddb, many):
    total = sum(ddb.scan(TableName=many, Segment=s, TotalSegments=3, Select="COUNT",
                         FilterExpression="n < :v", ExpressionAttributeValues={":v": N(100)})["Count"]
                for s in range(3))
    assert total == 100


@pytest.mark.parametrize("kw,fragment", [
    (dict(Segment=0), "The TotalSegments parameter is required but was not present in the request when parameter "
                      "Segment is present"),
    (dict(TotalSegments=2), "The Segment parameter is required but was not present in the request when parameter "
                            "TotalSegments is present"),
    (dict(Segment=2, TotalSegments=2), "The Segment parameter is zero-based and must be less than parameter "
                                       "TotalSegments: Segment: 2 is not less than TotalSegments: 2"),
    pytest.param(dict(Segment=0, TotalSegments=0),
                 "Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than "
                 "or equal to 1"),
    pytest.param(dict(Segment=0, TotalSegments=1000001),
                 "Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less "
                 "than or equal to 1000000"),
    pytest.param(dict(Segment=-1, TotalSegments=2),
                 "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or "
                 "equal to 0"),
], ids=["segment-alone", "total-alone", "segment-too-big", "total-zero", "total-too-big", "segment-negative"])
def test_parallel_scan_parameter_errors(ddb, many, kw, fragment):
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=many, **kw)
    code, msg = ddb_error(e)
    assert code == "ValidationException"
    assert fragment in msg, msg


def test_parallel_scan_of_an_index(ddb, qt):
    seen = []
    for seg in range(3):
        seen += items_of(pages(ddb.scan, TableName=qt, IndexName="byGroup", Segment=seg, TotalSegments=3, Limit=4))
    keys = [(i["pk"]["S"], int(i["sk"]["N"])) for i in seen]
    assert len(keys) == 25 == len(set(keys))
