import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { db, parseBody, reply, TABLE, user } from "./lib/db.mjs";

export const handler = async (event) => {
  const body = parseBody(event);
  if (!body || typeof body.title !== "string" || body.title.trim() === "") {
    return reply(400, { message: "a to-do needs a title" });
  }
  const todo = {
    id: randomUUID(),
    title: body.title.trim(),
    done: false,
    owner: user(event),
    createdAt: new Date().toISOString(),
  };
  await db.send(new PutCommand({ TableName: TABLE, Item: todo }));
  console.log(`created ${todo.id} for ${todo.owner}`);
  return reply(201, todo);
};
