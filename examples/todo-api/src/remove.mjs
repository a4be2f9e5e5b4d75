import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { db, reply, TABLE } from "./lib/db.mjs";

export const handler = async (event) => {
  const { Attributes } = await db.send(new DeleteCommand({
    TableName: TABLE,
    Key: { id: event.pathParameters.id },
    ReturnValues: "ALL_OLD",
  }));
  return Attributes ? { statusCode: 204 } : reply(404, { message: "no such to-do" });
};
