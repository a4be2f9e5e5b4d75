"""DynamoDB items: PutItem / GetItem / UpdateItem / DeleteItem, the ten
attribute types, numbers, sets, the 400 KB limit, key rules, update
expressions and ReturnValues (/work/shared/reference/dynamodb-api.md §3, §5, §6.3)."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from conftest import ddb_client, ddb_create_table, ddb_error, ddb_raw, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
B = lambda v: {"B": v}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server, validate=False)


@pytest.fixture(scope="module")
def tbl(ddb):
    """pk (S) only."""
    name = unique("items")
    ddb_create_table(ddb, name)
    return name


@pytest.fixture(scope="module")
def tbl2(ddb):
    """pk (S) + sk (N), a GSI on email (S) and an LSI on created (N)."""
    name = unique("items2")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"),
                     gsis={"byEmail": (("email", "S"), None, {"ProjectionType": "ALL"})},
                     lsis={"byCreated": (("created", "N"), {"ProjectionType": "ALL"})})
    return name


@pytest.fixture(scope="module")
def tblb(ddb):
    """pk (B) only."""
    name = unique("itemsb")
    ddb_create_table(ddb, name, ("pk", "B"))
    return name


def key():
    return unique("k")


def get(ddb, table, pk, **kw):
    return ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True, **kw).get("Item")


def norm(value):
    """Sorts sets so that items can be compared with ==."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "NS", "BS") and isinstance(v, list):
                out[k] = sorted(v)
            else:
                out[k] = norm(v)
        return out
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def assert_validation(e, message=None, *, contains=None):
    code, msg = ddb_error(e)
    assert code == "ValidationException", (code, msg)
    if message is not None:
        assert msg == message
    if contains is not None:
        for c in [contains] if isinstance(contains, str) else contains:
            assert c in msg, msg


# ---------------------------------------------------------------------------
# basic operations
# ---------------------------------------------------------------------------


def test_put_get_delete(ddb, tbl):
    pk = key()
    assert "Item" not in ddb.get_item(TableName=tbl, Key={"pk": S(pk)})
    r = ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": S("1")})
    assert "Attributes" not in r
    assert get(ddb, tbl, pk) == {"pk": S(pk), "a": S("1")}
    # PutItem replaces the whole item
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "b": S("2")})
    assert get(ddb, tbl, pk) == {"pk": S(pk), "b": S("2")}
    r = ddb.delete_item(TableName=tbl, Key={"pk": S(pk)})
    assert "Attributes" not in r
    assert get(ddb, tbl, pk) is None
    # deleting a missing item is not an error
    ddb.delete_item(TableName=tbl, Key={"pk": S(pk)})


def test_get_item_not_found_is_empty_document(server, tbl):
    r = ddb_raw(server, "GetItem", {"TableName": tbl, "Key": {"pk": {"S": key()}}})
    assert r.status == 200
    assert r.json() == {}


def test_put_return_values(ddb, tbl):
    pk = key()
    r = ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(1)}, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    r = ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(2)}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": S(pk), "v": N(1)}
    r = ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(3)}, ReturnValues="NONE")
    assert "Attributes" not in r
    for bad in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName=tbl, Item={"pk": S(pk)}, ReturnValues=bad)
        assert_validation(e, contains="ReturnValues can only be ALL_OLD or NONE")
    assert get(ddb, tbl, pk)["v"] == N(3)


def test_delete_return_values(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": S("x")})
    r = ddb.delete_item(TableName=tbl, Key={"pk": S(pk)}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": S(pk), "v": S("x")}
    r = ddb.delete_item(TableName=tbl, Key={"pk": S(pk)}, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=tbl, Key={"pk": S(pk)}, ReturnValues="ALL_NEW")
    assert_validation(e, contains="ReturnValues can only be ALL_OLD or NONE")


def test_update_item_upserts(ddb, tbl):
    pk = key()
    r = ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": S("x")}, ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": S(pk), "a": S("x")}
    # no UpdateExpression: the item is created with only its key
    pk2 = key()
    r = ddb.update_item(TableName=tbl, Key={"pk": S(pk2)})
    assert "Attributes" not in r
    assert get(ddb, tbl, pk2) == {"pk": S(pk2)}


def test_update_return_values(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")})

    def upd(rv, expr="SET a = a + :one, d = :d REMOVE b", values=None):
        return ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression=expr,
                               ExpressionAttributeValues=values or {":one": N(1), ":d": S("new")},
                               ReturnValues=rv)

    r = upd("NONE")
    assert "Attributes" not in r
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")})
    r = upd("ALL_OLD")
    assert r["Attributes"] == {"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")}
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")})
    r = upd("ALL_NEW")
    assert r["Attributes"] == {"pk": S(pk), "a": N(2), "c": S("keep"), "d": S("new")}
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")})
    r = upd("UPDATED_OLD")
    # only the touched attributes that existed before: a and b (d did not exist)
    assert r["Attributes"] == {"a": N(1), "b": N(2)}
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": N(1), "b": N(2), "c": S("keep")})
    r = upd("UPDATED_NEW")
    # only the touched attributes that exist afterwards: a and d (b was removed)
    assert r["Attributes"] == {"a": N(2), "d": S("new")}
    # nested: UPDATED_* return the touched sub-paths only
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "m": {"M": {"x": N(1), "y": N(2)}}})
    r = upd("UPDATED_NEW", "SET m.x = :v", {":v": N(10)})
    assert r["Attributes"] == {"m": {"M": {"x": N(10)}}}
    r = upd("UPDATED_OLD", "SET m.x = :v", {":v": N(11)})
    assert r["Attributes"] == {"m": {"M": {"x": N(10)}}}
    with pytest.raises(ClientError) as e:
        upd("EVERYTHING")
    assert_validation(e)


# ---------------------------------------------------------------------------
# attribute types
# ---------------------------------------------------------------------------


def everything():
    return {
        "s": S("héllo ✓"),
        "n": N("-12.5"),
        "b": B(bytes(range(256))),
        "bool_t": {"BOOL": True},
        "bool_f": {"BOOL": False},
        "nul": {"NULL": True},
        "ss": {"SS": ["b", "a", "ç"]},
        "ns": {"NS": ["3", "-1", "2.5"]},
        "bs": {"BS": [b"\x00", b"\xff\xfe", b"abc"]},
        "l": {"L": [S("x"), N(1), {"BOOL": False}, {"NULL": True}, {"L": []}, {"M": {}}, B(b"\x01")]},
        "m": {"M": {"inner": {"M": {"deep": {"L": [{"SS": ["q"]}, {"NS": ["7"]}, {"BS": [b"z"]}]}}},
                    "name with space": S("ok")}},
        "empty_s": S(""),
        "empty_b": B(b""),
        "empty_l": {"L": []},
        "empty_m": {"M": {}},
    }


def test_all_ten_types_round_trip(ddb, tbl):
    pk = key()
    item = {"pk": S(pk), **everything()}
    ddb.put_item(TableName=tbl, Item=item)
    assert norm(get(ddb, tbl, pk)) == norm(item)
    # through every read path
    assert norm(ddb.scan(TableName=tbl, FilterExpression="pk = :p",
                         ExpressionAttributeValues={":p": S(pk)})["Items"]) == [norm(item)]
    assert norm(ddb.query(TableName=tbl, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": S(pk)})["Items"]) == [norm(item)]
    got = ddb.batch_get_item(RequestItems={tbl: {"Keys": [{"pk": S(pk)}]}})["Responses"][tbl]
    assert norm(got) == [norm(item)]
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": tbl, "Key": {"pk": S(pk)}}}])
    assert norm(got["Responses"][0]["Item"]) == norm(item)


def test_wire_format_of_values(server, tbl):
    """B/BS are base64 strings, N is a string, NULL is true."""
    pk = key()
    item = {"pk": {"S": pk}, "b": {"B": base64.b64encode(b"\x00\x01\xff").decode()},
            "bs": {"BS": [base64.b64encode(b"a").decode()]}, "n": {"N": "42"}, "z": {"NULL": True},
            "t": {"BOOL": True}}
    assert ddb_raw(server, "PutItem", {"TableName": tbl, "Item": item}).status == 200
    r = ddb_raw(server, "GetItem", {"TableName": tbl, "Key": {"pk": {"S": pk}}})
    assert r.status == 200
    assert r.json() == {"Item": item}


def test_binary_key_round_trip(ddb, tblb):
    for k in (b"\x00", b"\xff" * 3, bytes(range(40))):
        ddb.put_item(TableName=tblb, Item={"pk": B(k), "v": N(len(k))})
        assert ddb.get_item(TableName=tblb, Key={"pk": B(k)})["Item"] == {"pk": B(k), "v": N(len(k))}


@pytest.mark.parametrize("value,message", [
    ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, "
                           "must contain exactly one of the supported datatypes"),
    ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"NULL": False}, None),
    ({"M": {"x": {}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"L": [{"S": "a", "BOOL": True}]}, "Supplied AttributeValue has more than one datatypes set, "
                                        "must contain exactly one of the supported datatypes"),
], ids=["two-types", "empty", "null-false", "nested-empty", "nested-two-types"])
def test_malformed_attribute_values(ddb, tbl, value, message):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "x": value})
    assert_validation(e, message)


def test_nesting_depth_limit(ddb, tbl):
    def nest(depth):
        v = S("leaf")
        for _ in range(depth):
            v = {"M": {"d": v}}
        return v

    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": nest(20)})
    assert get(ddb, tbl, pk)["d"] == nest(20)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": nest(40)})
    assert_validation(e, contains="Nesting Levels have exceeded supported limits")


# ---------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("given,canonical", [
    ("1.50", "1.5"), ("1e3", "1000"), ("1E+3", "1000"), ("-0", "0"), ("0.000", "0"), ("+5", "5"),
    ("007", "7"), ("1E-5", "0.00001"), ("-12.3400", "-12.34"), ("100", "100"), ("0.1", "0.1"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-0.00000000000000000000000000000000000012345678901234567890123456789012345678",
     "-0.00000000000000000000000000000000000012345678901234567890123456789012345678"),
    ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("-1E-130", "-0." + "0" * 129 + "1"),
    ("123.456e2", "12345.6"),
])
def test_numbers_are_stored_canonical(ddb, tbl, given, canonical):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "n": N(given), "ns": {"NS": [given]},
                                      "l": {"L": [N(given)]}})
    item = get(ddb, tbl, pk)
    assert item["n"] == N(canonical)
    assert item["ns"] == {"NS": [canonical]}
    assert item["l"] == {"L": [N(canonical)]}


@pytest.mark.parametrize("given,message", [
    ("abc", "The parameter cannot be converted to a numeric value: abc"),
    ("1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"),
    ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
    ("1.23456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
    ("1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
])
def test_number_errors(ddb, tbl, given, message):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "n": N(given)})
    assert_validation(e, message)


def test_numbers_compare_exactly(ddb, tbl):
    pk = key()
    big = "12345678901234567890123456789012345678"
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "n": N(big), "f": N("0.1")})

    def holds(cond, values):
        try:
            ddb.put_item(TableName=tbl, Item={"pk": S(pk), "n": N(big), "f": N("0.1")},
                         ConditionExpression=cond, ExpressionAttributeValues=values)
            return True
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False

    # neighbours a double cannot tell apart
    assert holds("n > :v", {":v": N("12345678901234567890123456789012345677")})
    assert not holds("n > :v", {":v": N(big)})
    assert holds("n < :v", {":v": N("12345678901234567890123456789012345679")})
    assert not holds("n = :v", {":v": N("12345678901234567890123456789012345679")})
    # equal whatever the spelling
    assert holds("n = :v", {":v": N("1.2345678901234567890123456789012345678E+37")})
    assert holds("f = :v", {":v": N("1E-1")})
    assert holds("f = :v", {":v": N("0.10")})
    # strings compare as strings, numbers as numbers
    assert holds("f < :v", {":v": N("2")})
    assert holds("f > :v", {":v": N("-10")})


def test_number_arithmetic_is_exact(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "f": N("0.1"), "big": N("99999999999999999999999999999999999998")})
    r = ddb.update_item(TableName=tbl, Key={"pk": S(pk)},
                        UpdateExpression="SET f = f + :f, big = big + :one, neg = :zero - :f ADD cnt :one",
                        ExpressionAttributeValues={":f": N("0.2"), ":one": N(1), ":zero": N(0)},
                        ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"f": N("0.3"), "big": N("99999999999999999999999999999999999999"),
                               "neg": N("-0.2"), "cnt": N(1)}
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET o = :m + :m",
                        ExpressionAttributeValues={":m": N("9.9999999999999999999999999999999999999E+125")})
    assert_validation(e, "Number overflow. Attempting to store a number with magnitude larger than supported range")


# ---------------------------------------------------------------------------
# sets
# ---------------------------------------------------------------------------


def test_sets_reject_duplicates(ddb, tbl):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"SS": ["a", "a"]}})
    assert_validation(e, "One or more parameter values were invalid: Input collection [a, a] contains duplicates.")
    # "1" and "1.0" are the same number
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"NS": ["1", "1.0"]}})
    assert_validation(e, contains="contains duplicates")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"BS": [b"x", b"x"]}})
    assert_validation(e, contains="contains duplicates")
    # also in expression values
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(key())}, UpdateExpression="ADD s :v",
                        ExpressionAttributeValues={":v": {"SS": ["z", "z"]}})
    assert_validation(e, contains="contains duplicates")


def test_empty_sets_rejected(ddb, tbl):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"SS": []}})
    assert_validation(e, "One or more parameter values were invalid: An string set  may not be empty")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"NS": []}})
    assert_validation(e, contains="may not be empty")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(key()), "s": {"BS": []}})
    assert_validation(e, contains="empty")


def test_set_add_and_delete(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
                                      "bs": {"BS": [b"\x01"]}})
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="ADD ss :s, ns :n, bs :b, fresh :s",
                    ExpressionAttributeValues={":s": {"SS": ["b", "c"]}, ":n": {"NS": ["1.0", "3"]},
                                               ":b": {"BS": [b"\x01", b"\x02"]}})
    item = norm(get(ddb, tbl, pk))
    assert item["ss"] == {"SS": ["a", "b", "c"]}
    assert item["ns"] == {"NS": ["1", "2", "3"]}
    assert item["bs"] == {"BS": [b"\x01", b"\x02"]}
    assert item["fresh"] == {"SS": ["b", "c"]}
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="DELETE ss :s, ns :n, fresh :all",
                    ExpressionAttributeValues={":s": {"SS": ["a", "zz"]}, ":n": {"NS": ["2.00"]},
                                               ":all": {"SS": ["b", "c"]}})
    item = norm(get(ddb, tbl, pk))
    assert item["ss"] == {"SS": ["b", "c"]}
    assert item["ns"] == {"NS": ["1", "3"]}
    # a set that becomes empty is removed
    assert "fresh" not in item
    # ADD of a different set type, DELETE of a non-set
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="ADD ss :n",
                        ExpressionAttributeValues={":n": {"NS": ["1"]}})
    assert_validation(e, contains="An operand in the update expression has an incorrect data type")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="DELETE ss :v",
                        ExpressionAttributeValues={":v": S("b")})
    assert_validation(e)


# ---------------------------------------------------------------------------
# item size
# ---------------------------------------------------------------------------


def test_item_size_limit(ddb, tbl):
    limit = 409600
    pk = "k" + unique("")[1:]  # same length every time
    overhead = len("pk") + len(pk) + len("d")
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": S("x" * (limit - overhead))})
    assert len(get(ddb, tbl, pk)["d"]["S"]) == limit - overhead
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": S("x" * (limit - overhead + 1))})
    assert_validation(e, "Item size has exceeded the maximum allowed size")
    # multi-byte characters count by UTF-8 bytes
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": S("é" * (limit // 2))})
    assert_validation(e, "Item size has exceeded the maximum allowed size")
    # attribute names count too
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d" * 10: S("x" * (limit - overhead))})
    assert_validation(e, "Item size has exceeded the maximum allowed size")
    # binary counts raw bytes, not base64
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "d": B(b"\x00" * (limit - overhead))})
    # the stored item is the first big one... no, the binary one replaced it
    assert len(get(ddb, tbl, pk)["d"]["B"]) == limit - overhead
    # an update that would grow the item past the limit
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET e = :v",
                        ExpressionAttributeValues={":v": S("y" * 10)})
    assert_validation(e, "Item size to update has exceeded the maximum allowed size")
    assert set(get(ddb, tbl, pk)) == {"pk", "d"}


# ---------------------------------------------------------------------------
# key rules
# ---------------------------------------------------------------------------


def test_key_rules_on_put(ddb, tbl, tbl2):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"other": S("x")})
    assert_validation(e, "One or more parameter values were invalid: Missing the key pk in the item")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl2, Item={"pk": S("x")})
    assert_validation(e, "One or more parameter values were invalid: Missing the key sk in the item")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": N(1)})
    assert_validation(e, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl2, Item={"pk": S("x"), "sk": S("1")})
    assert_validation(e, "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S("")})
    assert_validation(e, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                         "cannot contain an empty string value. Key: pk")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S("x" * 2049)})
    assert_validation(e, "One or more parameter values were invalid: Size of hashkey has exceeded the "
                         "maximum size limit of2048 bytes")
    ddb.put_item(TableName=tbl, Item={"pk": S("h" * 2048)})
    # index keys: wrong type refused, empty string refused
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl2, Item={"pk": S("x"), "sk": N(1), "email": N(5)})
    assert_validation(e, "One or more parameter values were invalid: Type mismatch for Index Key email "
                         "Expected: S Actual: N IndexName: byEmail")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl2, Item={"pk": S("x"), "sk": N(1), "created": S("yesterday")})
    assert_validation(e, "One or more parameter values were invalid: Type mismatch for Index Key created "
                         "Expected: N Actual: S IndexName: byCreated")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl2, Item={"pk": S("x"), "sk": N(1), "email": S("")})
    assert_validation(e, contains=["empty string", "email"])
    assert ddb.query(TableName=tbl2, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S("x")})["Count"] == 0


def test_sort_key_size_limit(ddb):
    name = unique("skey")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "S"))
    ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": S("s" * 1024)})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": S("s" * 1025)})
    assert_validation(e, "One or more parameter values were invalid: Aggregated size of all range keys has "
                         "exceeded the size limit of 1024 bytes")


@pytest.mark.parametrize("bad_key", [
    {"pk": S("x"), "extra": S("y")},
    {"other": S("x")},
    {"pk": N(1)},
    {},
], ids=["extra-attribute", "wrong-name", "wrong-type", "empty"])
def test_wrong_key_on_get_update_delete(ddb, tbl, bad_key):
    calls = [
        lambda: ddb.get_item(TableName=tbl, Key=bad_key),
        lambda: ddb.delete_item(TableName=tbl, Key=bad_key),
        lambda: ddb.update_item(TableName=tbl, Key=bad_key, UpdateExpression="SET a = :v",
                                ExpressionAttributeValues={":v": S("x")}),
        lambda: ddb.batch_get_item(RequestItems={tbl: {"Keys": [bad_key]}}),
        lambda: ddb.batch_write_item(RequestItems={tbl: [{"DeleteRequest": {"Key": bad_key}}]}),
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert_validation(e, "The provided key element does not match the schema")


def test_missing_range_key_on_get(ddb, tbl2):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=tbl2, Key={"pk": S("x")})
    assert_validation(e, "The provided key element does not match the schema")


def test_empty_string_key_on_get(ddb, tbl):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=tbl, Key={"pk": S("")})
    assert_validation(e, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                         "cannot contain an empty string value. Key: pk")


def test_update_of_key_attribute_refused(ddb, tbl2):
    pk = key()
    ddb.put_item(TableName=tbl2, Item={"pk": S(pk), "sk": N(1)})
    for expr, values in (("SET pk = :v", {":v": S("other")}), ("SET sk = :v", {":v": N(2)}),
                         ("REMOVE sk", None), ("ADD sk :v", {":v": N(1)})):
        kw = {"ExpressionAttributeValues": values} if values else {}
        with pytest.raises(ClientError) as e:
            ddb.update_item(TableName=tbl2, Key={"pk": S(pk), "sk": N(1)}, UpdateExpression=expr, **kw)
        code, msg = ddb_error(e)
        assert code == "ValidationException"
        assert msg.startswith("One or more parameter values were invalid: Cannot update attribute "), msg
        assert msg.endswith(". This attribute is part of the key"), msg


# ---------------------------------------------------------------------------
# update expressions
# ---------------------------------------------------------------------------


def test_update_set_forms(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "n": N(10), "l": {"L": [N(1), N(2)]},
                                      "m": {"M": {"a": {"M": {"b": N(1)}}, "list": {"L": [S("x"), S("y")]}}}})
    r = ddb.update_item(
        TableName=tbl, Key={"pk": S(pk)},
        UpdateExpression=("SET n = n - :two, p = :two + n, q = if_not_exists(q, :zero), n2 = if_not_exists(n, :zero), "
                          "l = list_append(l, :tail), l2 = list_append(:head, l), m.a.b = m.a.b + :two, "
                          "m.c = :s, m.#list[1] = :s, #dotted = :s"),
        ExpressionAttributeNames={"#list": "list", "#dotted": "a.b"},
        ExpressionAttributeValues={":two": N(2), ":zero": N(0), ":tail": {"L": [N(3)]},
                                   ":head": {"L": [N(0)]}, ":s": S("set")},
        ReturnValues="ALL_NEW")
    item = r["Attributes"]
    assert item["n"] == N(8)
    assert item["p"] == N(12)  # operands are read before any SET is applied
    assert item["q"] == N(0)
    assert item["n2"] == N(10)
    assert item["l"] == {"L": [N(1), N(2), N(3)]}
    assert item["l2"] == {"L": [N(0), N(1), N(2)]}
    assert item["m"] == {"M": {"a": {"M": {"b": N(3)}}, "c": S("set"), "list": {"L": [S("x"), S("set")]}}}
    assert item["a.b"] == S("set")  # a top-level name containing a dot
    assert get(ddb, tbl, pk) == item


def test_update_list_indexes(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "l": {"L": [S("a"), S("b"), S("c"), S("d")]}})
    # setting past the end appends
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET l[10] = :v",
                    ExpressionAttributeValues={":v": S("e")})
    assert get(ddb, tbl, pk)["l"] == {"L": [S("a"), S("b"), S("c"), S("d"), S("e")]}
    # removing elements shifts the rest
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="REMOVE l[1], l[3]")
    assert get(ddb, tbl, pk)["l"] == {"L": [S("a"), S("c"), S("e")]}
    # removing a missing index is a no-op
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="REMOVE l[7]")
    assert get(ddb, tbl, pk)["l"] == {"L": [S("a"), S("c"), S("e")]}
    # indexing something that is not a list
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "s": S("str")})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET s[0] = :v",
                        ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "The document path provided in the update expression is invalid for update")


def test_update_remove_add_delete(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "a": S("x"), "m": {"M": {"k": S("v"), "j": S("w")}},
                                      "cnt": N(5), "tags": {"SS": ["t1", "t2"]}})
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)},
                    UpdateExpression="REMOVE a, m.k, nothere ADD cnt :d, newcnt :d DELETE tags :t",
                    ExpressionAttributeValues={":d": N(-2), ":t": {"SS": ["t1"]}})
    assert get(ddb, tbl, pk) == {"pk": S(pk), "m": {"M": {"j": S("w")}}, "cnt": N(3), "newcnt": N(-2),
                                 "tags": {"SS": ["t2"]}}
    # clauses in any order
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)},
                    UpdateExpression="DELETE tags :t ADD cnt :d SET z = :z REMOVE m",
                    ExpressionAttributeValues={":d": N(1), ":t": {"SS": ["t2"]}, ":z": {"BOOL": True}})
    assert get(ddb, tbl, pk) == {"pk": S(pk), "cnt": N(4), "newcnt": N(-2), "z": {"BOOL": True}}
    # arithmetic on a string
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET s = :v",
                    ExpressionAttributeValues={":v": S("x")})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET s = s + :v",
                        ExpressionAttributeValues={":v": N(1)})
    assert_validation(e, "An operand in the update expression has an incorrect data type")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET cnt = nothere + :v",
                        ExpressionAttributeValues={":v": N(1)})
    assert_validation(e, "The provided expression refers to an attribute that does not exist in the item")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET l = list_append(s, :v)",
                        ExpressionAttributeValues={":v": {"L": []}})
    assert_validation(e, "An operand in the update expression has an incorrect data type")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET s = :v + :w",
                        ExpressionAttributeValues={":v": S("x"), ":w": N(1)})
    assert_validation(e, contains=["Incorrect operand type for operator or function", "+"])
    assert get(ddb, tbl, pk)["cnt"] == N(4)


@pytest.mark.parametrize("value,type_name", [(S("x"), "STRING"), ({"M": {}}, "MAP"), ({"L": []}, "LIST")])
def test_update_add_operand_type_message(ddb, tbl, value, type_name):
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(key())}, UpdateExpression="ADD a :v",
                        ExpressionAttributeValues={":v": value})
    assert_validation(e, "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                         f"operator: ADD, operand type: {type_name}, typeSet: ALLOWED_FOR_ADD_OPERAND")


def test_update_nested_path_into_missing_map(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk)})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET a.b = :v",
                        ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "The document path provided in the update expression is invalid for update")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(key())}, UpdateExpression="SET a.b = :v",
                        ExpressionAttributeValues={":v": S("x")})
    assert_validation(e, "The document path provided in the update expression is invalid for update")


@pytest.mark.parametrize("expr,message", [
    ("SET a = :v, a = :w", "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
                           "or rewrite one of these paths; path one: [a], path two: [a]"),
    ("SET a = :v, a.b = :w", "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
                             "or rewrite one of these paths; path one: [a], path two: [a, b]"),
    ("SET a.b = :v REMOVE a", "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
                              "or rewrite one of these paths; path one: [a, b], path two: [a]"),
    ("SET a[1] = :v, a.b = :w", "Invalid UpdateExpression: Two document paths conflict with each other; must "
                                "remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"),
    ("SET a = :v SET b = :w", 'Invalid UpdateExpression: The "SET" section can only be used once in an update '
                              'expression;'),
    ("REMOVE a REMOVE b SET c = :v, d = :w", 'Invalid UpdateExpression: The "REMOVE" section can only be used '
                                             'once in an update expression;'),
])
def test_update_expression_path_and_clause_errors(ddb, tbl, expr, message):
    values = {k: S("x") for k in (":v", ":w") if k in expr}
    kw = {"ExpressionAttributeValues": values} if values else {}
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(key())}, UpdateExpression=expr, **kw)
    assert_validation(e, message)


def test_condition_on_writes(ddb, tbl):
    pk = key()
    # create-only
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(1)}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(2)}, ConditionExpression="attribute_not_exists(pk)")
    assert ddb_error(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert get(ddb, tbl, pk)["v"] == N(1)
    # optimistic locking
    ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET v = v + :one",
                    ConditionExpression="v = :expected", ExpressionAttributeValues={":one": N(1), ":expected": N(1)})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(pk)}, UpdateExpression="SET v = v + :one",
                        ConditionExpression="v = :expected", ExpressionAttributeValues={":one": N(1), ":expected": N(1)})
    assert ddb_error(e)[0] == "ConditionalCheckFailedException"
    # a conditional update on a missing item creates nothing
    missing = key()
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(missing)}, UpdateExpression="SET v = :one",
                        ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":one": N(1)})
    assert ddb_error(e)[0] == "ConditionalCheckFailedException"
    assert get(ddb, tbl, missing) is None
    # conditional delete
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=tbl, Key={"pk": S(pk)}, ConditionExpression="v > :n",
                        ExpressionAttributeValues={":n": N(100)})
    assert ddb_error(e)[0] == "ConditionalCheckFailedException"
    r = ddb.delete_item(TableName=tbl, Key={"pk": S(pk)}, ConditionExpression="v = :n",
                        ExpressionAttributeValues={":n": N(2)}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": S(pk), "v": N(2)}
    assert get(ddb, tbl, pk) is None


def test_return_values_on_condition_check_failure(server, tbl, ddb):
    """ReturnValuesOnConditionCheckFailure is newer than boto3 1.26's model: raw requests."""
    pk = key()
    ddb.put_item(TableName=tbl, Item={"pk": S(pk), "v": N(1)})
    for op, extra in (("PutItem", {"Item": {"pk": {"S": pk}, "v": {"N": "9"}}}),
                      ("UpdateItem", {"Key": {"pk": {"S": pk}}, "UpdateExpression": "SET w = :x"}),
                      ("DeleteItem", {"Key": {"pk": {"S": pk}}})):
        values = {":n": {"N": "5"}}
        if op == "UpdateItem":
            values[":x"] = {"S": "y"}
        body = {"TableName": tbl, "ConditionExpression": "v = :n", "ExpressionAttributeValues": values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD", **extra}
        r = ddb_raw(server, op, body)
        assert r.status == 400, (op, r)
        doc = r.json()
        assert doc["__type"] == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
        assert doc["Item"] == {"pk": {"S": pk}, "v": {"N": "1"}}
        body["ReturnValuesOnConditionCheckFailure"] = "NONE"
        doc = ddb_raw(server, op, body).json()
        assert "Item" not in doc
    assert get(ddb, tbl, pk) == {"pk": S(pk), "v": N(1)}
    # a missing item has no old image to return
    r = ddb_raw(server, "DeleteItem", {"TableName": tbl, "Key": {"pk": {"S": key()}},
                                       "ConditionExpression": "attribute_exists(pk)",
                                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert r.status == 400
    assert r.json()["__type"].endswith("#ConditionalCheckFailedException")
    assert "Item" not in r.json()


def test_projection_expression(ddb, tbl):
    pk = key()
    ddb.put_item(TableName=tbl, Item={
        "pk": S(pk), "a": S("1"), "b": S("2"),
        "c": {"M": {"d": {"L": [S("d0"), {"M": {"e": S("deep"), "f": S("other")}}, S("d2")]}, "g": S("g")}},
        "name": S("reserved"), "x-y": S("dash")})
    item = get(ddb, tbl, pk, ProjectionExpression="a, c.d[1].e, #n, #xy, nothere, c.nothere",
               ExpressionAttributeNames={"#n": "name", "#xy": "x-y"})
    assert item == {"a": S("1"), "c": {"M": {"d": {"L": [{"M": {"e": S("deep")}}]}}},
                    "name": S("reserved"), "x-y": S("dash")}
    item = get(ddb, tbl, pk, ProjectionExpression="c.d[2], c.g")
    assert item == {"c": {"M": {"d": {"L": [S("d2")]}, "g": S("g")}}}
    # nothing matches: an empty item is still an item
    assert ddb.get_item(TableName=tbl, Key={"pk": S(pk)}, ProjectionExpression="zz")["Item"] == {}
    with pytest.raises(ClientError) as e:
        get(ddb, tbl, pk, ProjectionExpression="a, c, c.d")
    assert_validation(e, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
                         "or rewrite one of these paths; path one: [c], path two: [c, d]")
    with pytest.raises(ClientError) as e:
        get(ddb, tbl, pk, ProjectionExpression="a, name")
    assert_validation(e, "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name")


def test_return_consumed_capacity(ddb, tbl):
    pk = key()
    r = ddb.put_item(TableName=tbl, Item={"pk": S(pk)}, ReturnConsumedCapacity="TOTAL")
    cc = r["ConsumedCapacity"]
    assert cc["TableName"] == tbl
    assert cc["CapacityUnits"] >= 1
    r = ddb.get_item(TableName=tbl, Key={"pk": S(pk)}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["TableName"] == tbl
    assert r["ConsumedCapacity"]["CapacityUnits"] > 0
    r = ddb.get_item(TableName=tbl, Key={"pk": S(pk)}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r
    r = ddb.get_item(TableName=tbl, Key={"pk": S(pk)})
    assert "ConsumedCapacity" not in r
    r = ddb.query(TableName=tbl, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(pk)},
                  ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"]["TableName"] == tbl
    assert "Table" in r["ConsumedCapacity"]


@pytest.mark.parametrize("call,path", [
    (lambda d, t: d.get_item(TableName=t, Key={"pk": S("a")}, ReturnConsumedCapacity="BOGUS"), "returnConsumedCapacity"),
    (lambda d, t: d.put_item(TableName=t, Item={"pk": S("a")}, ReturnConsumedCapacity="BOGUS"), "returnConsumedCapacity"),
    (lambda d, t: d.query(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("a")},
                          ReturnConsumedCapacity="BOGUS"), "returnConsumedCapacity"),
    (lambda d, t: d.put_item(TableName=t, Item={"pk": S("a")}, ReturnItemCollectionMetrics="BOGUS"),
     "returnItemCollectionMetrics"),
    (lambda d, t: d.transact_write_items(TransactItems=[{"Put": {"TableName": t, "Item": {"pk": S("a")},
                                                                 "ReturnValuesOnConditionCheckFailure": "BOGUS"}}]),
     "transactItems.1.member.put.returnValuesOnConditionCheckFailure"),
], ids=["get-consumed", "put-consumed", "query-consumed", "put-metrics", "transact-rvoccf"])
def test_enum_parameters_are_validated(ddb, tbl, call, path):
    with pytest.raises(ClientError) as e:
        call(ddb, tbl)
    assert_validation(e, contains=f"Value 'BOGUS' at '{path}' failed to satisfy constraint: "
                                 "Member must satisfy enum value set: [")


def test_return_values_enum_message(ddb, tbl):
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=tbl, Key={"pk": S(key())}, ReturnValues="none")
    assert_validation(e, "1 validation error detected: Value 'none' at 'returnValues' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")
