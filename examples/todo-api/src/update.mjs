import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, parseBody, reply, TABLE } from "./lib/db.mjs";

export const handler = async (event) => {
  const body = parseBody(event);
  if (!body || (body.title === undefined && body.done === undefined)) {
    return reply(400, { message: "give a title and/or done" });
  }
  const names = {}, values = {}, sets = [];
  for (const field of ["title", "done"]) {
    if (body[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = body[field];
    sets.push(`#${field} = :${field}`);
  }
  try {
    const { Attributes } = await db.send(new UpdateCommand({
      TableName: TABLE,
      Key: { id: event.pathParameters.id },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "attribute_exists(id)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    }));
    return reply(200, Attributes);
  } catch (e) {
    if (e.name === "ConditionalCheckFailedException") return reply(404, { message: "no such to-do" });
    throw e;
  }
};
