"""The examples in examples/ deploy and work as their READMEs say: the
to-do API (Node.js, the DocumentClient inside the sandbox, a JWT authorizer),
hello-python and hello-node, each with the permissions its serverless.yml
declares.
"""

import json
import shutil
import subprocess

import pytest

from conftest import REPO, deploy, http_call


def token(*args: str) -> str:
    return subprocess.run(["node", str(REPO / "examples/todo-api/token.mjs"), *args],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def todo(server_factory, tmp_path):
    server = server_factory.start()
    d = tmp_path / "todo-api"
    shutil.copytree(REPO / "examples/todo-api", d, ignore=shutil.ignore_patterns(".nimbus"))
    deploy(server, d)
    return server


def test_todo_api_crud_behind_jwt(todo):
    base = todo.gateway
    assert http_call("GET", base + "/todos").json() == []
    r = http_call("POST", base + "/todos", body='{"title":"no token"}')
    assert r.status == 401
    r = http_call("POST", base + "/todos", body='{"title":"read only"}',
                  headers={"Authorization": "Bearer " + token("u1", "todos.read")})
    assert r.status == 403
    auth = {"Authorization": "Bearer " + token("alice")}
    r = http_call("POST", base + "/todos", body='{"title":"write docs"}', headers=auth)
    assert r.status == 201, r
    created = r.json()
    assert created["owner"] == "alice" and created["done"] is False
    tid = created["id"]
    assert http_call("POST", base + "/todos", body='{"nope":1}', headers=auth).status == 400
    r = http_call("PUT", base + f"/todos/{tid}", body='{"done":true}', headers=auth)
    assert r.status == 200 and r.json()["done"] is True
    assert http_call("GET", base + f"/todos/{tid}").json()["done"] is True
    assert [t["id"] for t in http_call("GET", base + "/todos").json()] == [tid]
    assert http_call("PUT", base + "/todos/missing", body='{"done":true}', headers=auth).status == 404
    assert http_call("DELETE", base + f"/todos/{tid}", headers=auth).status == 204
    assert http_call("GET", base + f"/todos/{tid}").status == 404
    # CORS is on for the HTTP API
    r = http_call("OPTIONS", base + "/todos", headers={"Origin": "http://localhost:5173",
                                                      "Access-Control-Request-Method": "POST"})
    assert r.status == 204 and r.header("access-control-allow-origin") == "*"
    # the data is in the table, readable with any DynamoDB client
    items = todo.client("dynamodb").scan(TableName="todo-api-dev-todos")["Items"]
    assert items == []


def test_hello_python(server_factory):
    server = server_factory.start()
    deploy(server, REPO / "examples/hello-python")
    r = http_call("GET", server.gateway + "/hello/ada")
    assert r.status == 200
    body = r.json()
    assert body["message"] == "Hello, ada!"
    assert body["function"] == "hello-python-dev-hello"
    assert http_call("GET", server.gateway + "/hello?name=bob").json()["message"] == "Hello, bob!"


def test_hello_node_lists_functions_with_the_permission_it_declares(server_factory):
    server = server_factory.start()
    deploy(server, REPO / "examples/hello-node")
    _, out = server.invoke_json("hello-node-dev-hello", {"name": "ada"})
    assert out["message"] == "Hello, ada!"
    assert "hello-node-dev-hello" in out["functions"]
    role = server.lambda_client().get_function_configuration(
        FunctionName="hello-node-dev-hello")["Role"]
    assert role.endswith(":role/hello-node-dev-us-east-1-lambdaRole")
