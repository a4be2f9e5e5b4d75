// Prints a JWT the example's authorizer accepts, signed with the development
// key dev-key.pem (whose public half is jwks.json). For local work only.
//   node token.mjs [subject] [scope]
import { createSign } from "node:crypto";
import { readFileSync } from "node:fs";

const [sub = "dev-user", scope = "todos.read todos.write"] = process.argv.slice(2);
const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const header = { alg: "RS256", typ: "JWT", kid: "todo-dev" };
const claims = { iss: "https://auth.todo.example", aud: "todo-api", sub, scope, iat: now, exp: now + 3600 };
const input = `${b64url(header)}.${b64url(claims)}`;
const key = readFileSync(new URL("./dev-key.pem", import.meta.url));
const signature = createSign("RSA-SHA256").update(input).sign(key).toString("base64url");
console.log(`${input}.${signature}`);
