import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { db, reply, TABLE } from "./lib/db.mjs";

export const handler = async (event) => {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: { id: event.pathParameters.id } }));
  return Item ? reply(200, Item) : reply(404, { message: "no such to-do" });
};
