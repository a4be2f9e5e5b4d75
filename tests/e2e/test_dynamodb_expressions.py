"""DynamoDB expressions: the condition/filter grammar and functions, and the
strictness rules on placeholders, reserved words, key conditions and legacy
parameters (/work/shared/reference/dynamodb-api.md §6)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import ddb_client, ddb_create_table, ddb_error, ddb_raw, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
B = lambda v: {"B": v}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server, validate=False)


ITEM = {
    "pk": S("c1"), "sk": N(1),
    "s": S("hello world"), "n": N(5), "f": N("2.5"), "b": B(b"\x01\x02\x03"),
    "t": {"BOOL": True}, "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2", "3"]}, "bs": {"BS": [b"x"]},
    "l": {"L": [N(1), S("two"), {"L": [N(3)]}]},
    "m": {"M": {"k": S("v"), "n": N(10), "deep": {"M": {"x": N(1)}}}},
    "emptystr": S(""), "name": S("reserved"), "a-b": S("dash"),
}


@pytest.fixture(scope="module")
def table(ddb):
    """pk (S) + sk (N) holding ITEM (and a second partition)."""
    name = unique("expr")
    ddb_create_table(ddb, name, ("pk", "S"), ("sk", "N"))
    ddb.put_item(TableName=name, Item=ITEM)
    ddb.put_item(TableName=name, Item={"pk": S("c2"), "sk": N(1), "n": N(0)})
    return name


def assert_validation(e, message=None, *, contains=None, startswith=None):
    code, msg = ddb_error(e)
    assert code == "ValidationException", (code, msg)
    if message is not None:
        assert msg == message
    for c in ([contains] if isinstance(contains, str) else contains or []):
        assert c in msg, msg
    if startswith is not None:
        assert msg.startswith(startswith), msg


# ---------------------------------------------------------------------------
# condition grammar: each case filters the one item of partition c1
# ---------------------------------------------------------------------------

CASES = [
    # comparators
    ("n = :v", {":v": N(5)}, True), ("n = :v", {":v": N("5.0")}, True), ("n = :v", {":v": S("5")}, False),
    ("n <> :v", {":v": N(6)}, True), ("n <> :v", {":v": N(5)}, False),
    ("nothere <> :v", {":v": N(1)}, True), ("nothere = :v", {":v": N(1)}, False),
    ("n < :v", {":v": N(6)}, True), ("n < :v", {":v": N(5)}, False), ("n <= :v", {":v": N(5)}, True),
    ("n > :v", {":v": N(5)}, False), ("n >= :v", {":v": N(5)}, True), ("n > :v", {":v": N("4.99")}, True),
    ("n < :v", {":v": S("9")}, False), ("n > :v", {":v": S("0")}, False),
    ("s < :v", {":v": S("hello x")}, True), ("s > :v", {":v": S("Hello")}, True),
    ("s > :v", {":v": S("hello world!")}, False),
    ("b < :v", {":v": B(b"\x01\x03")}, True), ("b > :v", {":v": B(b"\x01")}, True),
    ("b = :v", {":v": B(b"\x01\x02\x03")}, True), ("b > :v", {":v": B(b"\xff")}, False),
    ("t = :v", {":v": {"BOOL": True}}, True), ("z = :v", {":v": {"NULL": True}}, True),
    ("ss = :v", {":v": {"SS": ["b", "a"]}}, True), ("ns = :v", {":v": {"NS": ["3", "2", "1.0"]}}, True),
    ("l = :v", {":v": {"L": [N(1), S("two"), {"L": [N(3)]}]}}, True),
    ("l = :v", {":v": {"L": [S("two"), N(1), {"L": [N(3)]}]}}, False),
    ("m = :v", {":v": {"M": {"n": N(10), "deep": {"M": {"x": N(1)}}, "k": S("v")}}}, True),
    ("n < m.n", {}, True), ("m.n > :v", {":v": N(9)}, True), ("l[1] = :v", {":v": S("two")}, True),
    ("l[2][0] = :v", {":v": N(3)}, True), ("m.deep.x = :v", {":v": N(1)}, True),
    ("m.nothere.x = :v", {":v": N(1)}, False), ("l[9] = :v", {":v": N(1)}, False),
    # BETWEEN / IN
    ("n BETWEEN :a AND :b", {":a": N(1), ":b": N(5)}, True),
    ("n BETWEEN :a AND :b", {":a": N(6), ":b": N(10)}, False),
    ("s BETWEEN :a AND :b", {":a": S("a"), ":b": S("i")}, True),
    ("n IN (:a, :b, :c)", {":a": N(1), ":b": N(5), ":c": N(9)}, True),
    ("n IN (:a)", {":a": N(1)}, False), ("s IN (:a, :b)", {":a": S("x"), ":b": S("hello world")}, True),
    ("n IN (:a, :b)", {":a": S("5"), ":b": N(6)}, False),
    # logic and precedence
    ("n = :a AND s = :b", {":a": N(5), ":b": S("hello world")}, True),
    ("n = :x OR s = :b", {":x": N(0), ":b": S("hello world")}, True),
    ("NOT n = :a", {":a": N(5)}, False),
    ("NOT (n = :x OR s = :y)", {":x": N(0), ":y": S("no")}, True),
    ("n = :a OR n = :x AND s = :y", {":a": N(5), ":x": N(0), ":y": S("no")}, True),  # AND binds tighter
    ("(n = :a OR n = :x) AND s = :y", {":a": N(5), ":x": N(0), ":y": S("no")}, False),
    ("NOT n = :x AND s = :b", {":x": N(0), ":b": S("hello world")}, True),  # NOT binds tighter than AND
    ("n between :a and :b and not attribute_exists(nothere)", {":a": N(1), ":b": N(9)}, True),
    # functions
    ("attribute_exists(s)", {}, True), ("attribute_exists(nothere)", {}, False),
    ("attribute_not_exists(nothere)", {}, True), ("attribute_not_exists(s)", {}, False),
    ("attribute_exists(m.deep.x)", {}, True), ("attribute_exists(l[2][0])", {}, True),
    ("attribute_exists(l[5])", {}, False), ("attribute_exists(z)", {}, True),
    ("attribute_exists(emptystr)", {}, True),
    ("attribute_type(s, :t)", {":t": S("S")}, True), ("attribute_type(n, :t)", {":t": S("N")}, True),
    ("attribute_type(n, :t)", {":t": S("S")}, False), ("attribute_type(b, :t)", {":t": S("B")}, True),
    ("attribute_type(t, :t)", {":t": S("BOOL")}, True), ("attribute_type(z, :t)", {":t": S("NULL")}, True),
    ("attribute_type(ss, :t)", {":t": S("SS")}, True), ("attribute_type(ns, :t)", {":t": S("NS")}, True),
    ("attribute_type(bs, :t)", {":t": S("BS")}, True), ("attribute_type(l, :t)", {":t": S("L")}, True),
    ("attribute_type(m, :t)", {":t": S("M")}, True), ("attribute_type(m.deep, :t)", {":t": S("M")}, True),
    ("attribute_type(nothere, :t)", {":t": S("S")}, False),
    ("begins_with(s, :p)", {":p": S("hello")}, True), ("begins_with(s, :p)", {":p": S("world")}, False),
    ("begins_with(b, :p)", {":p": B(b"\x01\x02")}, True), ("begins_with(b, :p)", {":p": B(b"\x02")}, False),
    ("begins_with(n, :p)", {":p": S("5")}, False), ("begins_with(l[1], :p)", {":p": S("tw")}, True),
    ("contains(s, :v)", {":v": S("o w")}, True), ("contains(s, :v)", {":v": S("xyz")}, False),
    ("contains(ss, :v)", {":v": S("a")}, True), ("contains(ss, :v)", {":v": S("c")}, False),
    ("contains(ns, :v)", {":v": N("2.0")}, True), ("contains(bs, :v)", {":v": B(b"x")}, True),
    ("contains(l, :v)", {":v": S("two")}, True), ("contains(l, :v)", {":v": N(1)}, True),
    ("contains(l, :v)", {":v": S("tw")}, False), ("contains(b, :v)", {":v": B(b"\x02\x03")}, True),
    ("contains(ss, :v)", {":v": N(1)}, False),
    ("size(s) = :v", {":v": N(11)}, True), ("size(b) = :v", {":v": N(3)}, True),
    ("size(ss) = :v", {":v": N(2)}, True), ("size(ns) = :v", {":v": N(3)}, True),
    ("size(bs) = :v", {":v": N(1)}, True), ("size(l) = :v", {":v": N(3)}, True),
    ("size(m) = :v", {":v": N(3)}, True), ("size(emptystr) = :v", {":v": N(0)}, True),
    ("size(l[2]) < :v", {":v": N(2)}, True), ("size(nothere) = :v", {":v": N(0)}, False),
    ("size(s) > size(ss)", {}, True),
    # names
    ("#n = :v", {":v": S("reserved")}, True), ("#ab = :v", {":v": S("dash")}, True),
    ("#m.#k = :v", {":v": S("v")}, True),
]


def names_for(expr):
    out = {}
    for placeholder, name in (("#n", "name"), ("#ab", "a-b"), ("#m", "m"), ("#k", "k")):
        if placeholder in expr:
            out[placeholder] = name
    return out


@pytest.mark.parametrize("expr,values,expected", CASES, ids=[f"{c[0]}|{sorted(c[1].items())}" for c in CASES])
def test_filter_condition(ddb, table, expr, values, expected):
    kw = {}
    if values:
        kw["ExpressionAttributeValues"] = {":pk": S("c1"), **values}
    else:
        kw["ExpressionAttributeValues"] = {":pk": S("c1")}
    if names_for(expr):
        kw["ExpressionAttributeNames"] = names_for(expr)
    r = ddb.query(TableName=table, KeyConditionExpression="pk = :pk", FilterExpression=expr, **kw)
    assert r["ScannedCount"] == 1
    assert r["Count"] == (1 if expected else 0)


@pytest.mark.parametrize("expr,values,expected", [c for c in CASES if "#" not in c[0]][::4])
def test_condition_expression_matches_filter(ddb, table, expr, values, expected):
    """The same grammar guards writes: a ConditionCheck-like no-op update."""
    kw = {"ExpressionAttributeValues": values} if values else {}
    try:
        ddb.update_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, ConditionExpression=expr, **kw)
        held = True
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response["Error"]
        held = False
    assert held == expected


def test_condition_on_missing_item_sees_empty_item(ddb, table):
    key = {"pk": S("nobody"), "sk": N(1)}
    ddb.update_item(TableName=table, Key=key, ConditionExpression="attribute_not_exists(pk) AND nothere <> :v",
                    ExpressionAttributeValues={":v": N(1)}, UpdateExpression="SET a = :v")
    ddb.delete_item(TableName=table, Key=key)
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="size(a) >= :z",
                        ExpressionAttributeValues={":z": N(0)})
    assert ddb_error(e)[0] == "ConditionalCheckFailedException"


def test_scan_filter_over_several_items(ddb, table):
    r = ddb.scan(TableName=table, FilterExpression="n < :v", ExpressionAttributeValues={":v": N(3)})
    assert [i["pk"] for i in r["Items"]] == [S("c2")]
    assert r["ScannedCount"] >= 2


# ---------------------------------------------------------------------------
# expression errors
# ---------------------------------------------------------------------------


def upd(ddb, table, **kw):
    return ddb.update_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, **kw)


def test_unused_expression_attribute_values(ddb, table):
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1), ":unused": N(2)})
    assert_validation(e, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("c1"), ":extra": N(2)})
    assert_validation(e, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}")


def test_unused_expression_attribute_names(ddb, table):
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="SET #a = :v", ExpressionAttributeValues={":v": N(1)},
            ExpressionAttributeNames={"#a": "a", "#x": "x"})
    assert_validation(e, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, ProjectionExpression="s",
                     ExpressionAttributeNames={"#x": "x"})
    assert_validation(e, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")


def test_names_shared_across_expressions_count_as_used(ddb, table):
    """A placeholder used by any expression of the request is used."""
    r = upd(ddb, table, UpdateExpression="SET #c = :one", ConditionExpression="#n = :name",
            ExpressionAttributeNames={"#c": "counter", "#n": "name"},
            ExpressionAttributeValues={":one": N(1), ":name": S("reserved")}, ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"counter": N(1)}
    upd(ddb, table, UpdateExpression="REMOVE #c", ExpressionAttributeNames={"#c": "counter"})


def test_undefined_placeholders(ddb, table):
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="SET a = :nope", ExpressionAttributeValues={":v": N(1)})
    assert_validation(e, "Invalid UpdateExpression: An expression attribute value used in expression is not "
                         "defined; attribute value: :nope")
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="SET a = :nope")
    assert_validation(e, "Invalid UpdateExpression: An expression attribute value used in expression is not "
                         "defined; attribute value: :nope")
    with pytest.raises(ClientError) as e:
        upd(ddb, table, ConditionExpression="#n = :v", ExpressionAttributeValues={":v": N(1)})
    assert_validation(e, "Invalid ConditionExpression: An expression attribute name used in the document path "
                         "is not defined; attribute name: #n")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, FilterExpression="a = :v")
    assert_validation(e, "Invalid FilterExpression: An expression attribute value used in expression is not "
                         "defined; attribute value: :v")
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, ProjectionExpression="#p")
    assert_validation(e, "Invalid ProjectionExpression: An expression attribute name used in the document path "
                         "is not defined; attribute name: #p")


@pytest.mark.parametrize("call,message", [
    (lambda d, t: upd(d, t, UpdateExpression="SET name = :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
    (lambda d, t: upd(d, t, ConditionExpression="status = :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    (lambda d, t: d.scan(TableName=t, FilterExpression="attribute_exists(m.data)"),
     "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: data"),
    (lambda d, t: d.get_item(TableName=t, Key={"pk": S("c1"), "sk": N(1)}, ProjectionExpression="s, size"),
     "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size"),
    (lambda d, t: upd(d, t, UpdateExpression="REMOVE ttl"),
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: ttl"),
    (lambda d, t: upd(d, t, UpdateExpression="ADD count :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: count"),
], ids=["update-name", "condition-status", "filter-nested-data", "projection-size", "remove-ttl", "add-count"])
def test_reserved_words_used_bare(ddb, table, call, message):
    with pytest.raises(ClientError) as e:
        call(ddb, table)
    assert_validation(e, message)


def test_reserved_words_are_fine_as_placeholders(ddb, table):
    r = upd(ddb, table, UpdateExpression="SET #s = :v", ConditionExpression="attribute_exists(#n)",
            ExpressionAttributeNames={"#s": "status", "#n": "name"}, ExpressionAttributeValues={":v": S("ok")},
            ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"status": S("ok")}
    upd(ddb, table, UpdateExpression="REMOVE #s", ExpressionAttributeNames={"#s": "status"})


def test_empty_maps_and_expressions(ddb, table):
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1)},
            ExpressionAttributeNames={})
    assert_validation(e, "ExpressionAttributeNames must not be empty")
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="REMOVE a", ExpressionAttributeValues={})
    assert_validation(e, "ExpressionAttributeValues must not be empty")
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="REMOVE a", ConditionExpression="")
    assert_validation(e, "Invalid ConditionExpression: The expression can not be empty;")
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, FilterExpression="")
    assert_validation(e, "Invalid FilterExpression: The expression can not be empty;")
    with pytest.raises(ClientError) as e:
        upd(ddb, table, UpdateExpression="")
    assert_validation(e, "Invalid UpdateExpression: The expression can not be empty;")
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, ProjectionExpression="")
    assert_validation(e, "Invalid ProjectionExpression: The expression can not be empty;")


def test_placeholders_without_expressions(ddb, table):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": S("c1"), "sk": N(1)}, ExpressionAttributeNames={"#a": "a"})
    assert_validation(e, contains="ExpressionAttributeNames can only be specified when using expressions")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=table, Item=ITEM, ExpressionAttributeValues={":a": N(1)})
    assert_validation(e, contains="ExpressionAttributeValues can only be specified when using expressions")


@pytest.mark.parametrize("kw,prefix", [
    (dict(ConditionExpression="a = = :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid ConditionExpression: Syntax error; token: "),
    (dict(ConditionExpression="a = :v AND", ExpressionAttributeValues={":v": N(1)}),
     "Invalid ConditionExpression: Syntax error; token: "),
    (dict(UpdateExpression="SET a = ", ExpressionAttributeValues=None), "Invalid UpdateExpression: Syntax error; token: "),
    (dict(UpdateExpression="PUT a = :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid UpdateExpression: Syntax error; token: "),
    (dict(UpdateExpression="SET a :v", ExpressionAttributeValues={":v": N(1)}),
     "Invalid UpdateExpression: Syntax error; token: "),
    (dict(ConditionExpression="foo(a)"), "Invalid ConditionExpression: Invalid function name; function: foo"),
    (dict(ConditionExpression="attribute_exists(:v)", ExpressionAttributeValues={":v": N(1)}),
     "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
     "attribute_exists"),
    (dict(ConditionExpression="size(a)"), "Invalid ConditionExpression: "),
    (dict(ConditionExpression="n BETWEEN :a AND :b", ExpressionAttributeValues={":a": N(1), ":b": S("z")}),
     "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds"),
    (dict(ConditionExpression="n BETWEEN :a AND :b", ExpressionAttributeValues={":a": N(9), ":b": N(1)}),
     "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
     "lower bound"),
    (dict(ConditionExpression="attribute_type(n, :t)", ExpressionAttributeValues={":t": S("X")}),
     "Invalid ConditionExpression: Invalid attribute type name found; type: X"),
    (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "a", "N": "1"}}),
     "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, "
     "must contain exactly one of the supported datatypes for key :v"),
    (dict(UpdateExpression="SET #a = :v", ExpressionAttributeNames={"a": "a"}, ExpressionAttributeValues={":v": N(1)}),
     "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""),
    (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={"v": N(1)}),
     "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""),
], ids=["double-equals", "dangling-and", "set-no-value", "unknown-clause", "set-no-equals", "unknown-function",
        "function-on-value", "size-alone", "between-types", "between-order", "attribute-type-name",
        "two-datatypes-in-value", "name-key-syntax", "value-key-syntax"])
def test_expression_errors(ddb, table, kw, prefix):
    kw = {k: v for k, v in kw.items() if v is not None}
    with pytest.raises(ClientError) as e:
        upd(ddb, table, **kw)
    assert_validation(e, startswith=prefix)


def test_in_operand_limit(ddb, table):
    values = {f":v{i}": N(i) for i in range(101)}
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, FilterExpression=f"n IN ({', '.join(values)})", ExpressionAttributeValues=values)
    assert_validation(e, startswith="Invalid FilterExpression: ")
    values.pop(":v100")
    r = ddb.scan(TableName=table, FilterExpression=f"n IN ({', '.join(values)})", ExpressionAttributeValues=values)
    assert sorted(i["pk"]["S"] for i in r["Items"]) == ["c1", "c2"]


def test_expression_length_limit(ddb, table):
    ok = "attribute_exists(s)" + " " * (4096 - len("attribute_exists(s)"))
    ddb.scan(TableName=table, FilterExpression=ok)
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table, FilterExpression=ok + " ")
    assert_validation(e, startswith="Invalid FilterExpression: Expression size has exceeded the maximum allowed size")


# ---------------------------------------------------------------------------
# key conditions and filters in Query
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("expr,values,message", [
    ("sk = :a", {":a": N(1)}, "Query condition missed key schema element: pk"),
    ("pk = :p OR sk = :a", {":p": S("c1"), ":a": N(1)}, "Invalid operator used in KeyConditionExpression: OR"),
    ("NOT pk = :p", {":p": S("c1")}, "Invalid operator used in KeyConditionExpression: NOT"),
    ("pk = :p AND pk = :q", {":p": S("c1"), ":q": S("c2")},
     "KeyConditionExpressions must only contain one condition per key"),
    ("pk = :p AND sk > :a AND sk < :b", {":p": S("c1"), ":a": N(1), ":b": N(3)},
     "KeyConditionExpressions must only contain one condition per key"),
    ("pk > :p", {":p": S("c1")}, "Query key condition not supported"),
    ("pk = :p AND sk <> :a", {":p": S("c1"), ":a": N(1)}, None),
    ("pk = :p AND sk IN (:a)", {":p": S("c1"), ":a": N(1)}, None),
    ("pk = :p AND contains(sk, :a)", {":p": S("c1"), ":a": N(1)}, None),
    ("pk = :p AND size(sk) = :a", {":p": S("c1"), ":a": N(1)}, None),
    ("pk = :p AND s = :a", {":p": S("c1"), ":a": S("x")}, None),
    ("pk = :p", {":p": N(1)}, "One or more parameter values were invalid: Condition parameter type does not "
                              "match schema type"),
    ("pk = :p AND begins_with(sk, :a)", {":p": S("c1"), ":a": N(1)}, None),
], ids=["missing-hash", "or", "not", "two-on-hash", "two-on-range", "range-op-on-hash", "not-equal", "in",
        "contains", "size", "non-key", "wrong-type", "begins-with-number"])
def test_key_condition_errors(ddb, table, expr, values, message):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression=expr, ExpressionAttributeValues=values)
    code, msg = ddb_error(e)
    assert code == "ValidationException", msg
    if message is not None:
        assert msg.endswith(message), msg


def test_key_condition_with_reserved_key_name(ddb):
    name = unique("kce")
    ddb_create_table(ddb, name, ("date", "S"))
    ddb.put_item(TableName=name, Item={"date": S("2024-01-01")})
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=name, KeyConditionExpression="date = :d", ExpressionAttributeValues={":d": S("2024-01-01")})
    assert_validation(e, "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: date")
    r = ddb.query(TableName=name, KeyConditionExpression="#d = :d", ExpressionAttributeNames={"#d": "date"},
                  ExpressionAttributeValues={":d": S("2024-01-01")})
    assert r["Count"] == 1


def test_filter_on_key_attribute_in_query(ddb, table):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("c1")})
    assert_validation(e, "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="sk > :z AND n > :z",
                  ExpressionAttributeValues={":p": S("c1"), ":z": N(0)})
    assert_validation(e, "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
    # Scan may filter on keys
    r = ddb.scan(TableName=table, FilterExpression="pk = :p", ExpressionAttributeValues={":p": S("c1")})
    assert r["Count"] == 1


# ---------------------------------------------------------------------------
# legacy (non-expression) parameters
# ---------------------------------------------------------------------------


LEGACY = [
    ("GetItem", {"Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}}, "AttributesToGet": ["s"]}),
    ("PutItem", {"Item": {"pk": {"S": "c9"}, "sk": {"N": "1"}}, "Expected": {"pk": {"Exists": False}}}),
    ("UpdateItem", {"Key": {"pk": {"S": "c9"}, "sk": {"N": "1"}},
                    "AttributeUpdates": {"a": {"Action": "PUT", "Value": {"S": "x"}}}}),
    ("DeleteItem", {"Key": {"pk": {"S": "c9"}, "sk": {"N": "1"}}, "Expected": {"a": {"Value": {"S": "x"}}},
                    "ConditionalOperator": "AND"}),
    ("Query", {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c1"}]}}}),
    ("Query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "c1"}},
               "QueryFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}}}),
    ("Scan", {"ScanFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}}}),
    ("Scan", {"AttributesToGet": ["pk"]}),
]


@pytest.mark.parametrize("op,body", LEGACY, ids=[f"{op}-{sorted(b)[-1]}" for op, b in LEGACY])
def test_legacy_parameters_refused(server, ddb, table, op, body):
    """Nimbus refuses the pre-expression parameters (a documented choice)."""
    r = ddb_raw(server, op, {"TableName": table, **body})
    assert r.status == 400, r
    assert r.json()["__type"] == "com.amazon.coral.validate#ValidationException"
    # and nothing was written
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("c9"), "sk": N(1)})


def test_mixing_legacy_and_expression_parameters(server, table):
    r = ddb_raw(server, "GetItem", {"TableName": table, "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
                                    "AttributesToGet": ["s"], "ProjectionExpression": "s"})
    assert r.status == 400
    assert r.json()["message"] == ("Can not use both expression and non-expression parameters in the same request: "
                                   "Non-expression parameters: {AttributesToGet} Expression parameters: "
                                   "{ProjectionExpression}")
