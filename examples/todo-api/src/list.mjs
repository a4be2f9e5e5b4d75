import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { db, reply, TABLE } from "./lib/db.mjs";

export const handler = async () => {
  const { Items } = await db.send(new ScanCommand({ TableName: TABLE }));
  Items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return reply(200, Items);
};
